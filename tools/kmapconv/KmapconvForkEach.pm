# SPDX-License-Identifier: GPL-2.0-only
#
# Run a Perl program once per argument list, compiling it only once:
#
#   KMAPCONV_FORK_EACH=LIST KMAPCONV_FORK_JOBS=N \
#       perl -I<this directory> -MKmapconvForkEach PROGRAM
#
# LIST has one job per line: an output file, then PROGRAM's arguments,
# tab-separated.  PROGRAM is compiled as usual; before it starts, this
# INIT block forks a child per job (at most N at a time).  A child sets
# @ARGV, sends STDOUT to the output file and STDERR to OUTPUT.err, and
# returns into PROGRAM, which then runs exactly once in it, as in a
# process of its own.  The parent writes each child's exit status to
# OUTPUT.status and leaves without running PROGRAM.
#
# kmapconv asks scripts/get_maintainer.pl about every patch of a series:
# compiling the script costs about a third of each answer.

package KmapconvForkEach;

use strict;
use warnings;
use POSIX ();

sub read_jobs {
	my ($list) = @_;
	open(my $fh, '<', $list) or die "KmapconvForkEach: $list: $!\n";
	my @jobs;
	while (my $line = <$fh>) {
		chomp($line);
		push(@jobs, [split(/\t/, $line, -1)]) if length($line);
	}
	close($fh);
	return @jobs;
}

sub record {
	my ($out, $status) = @_;
	open(my $fh, '>', "$out.status")
	    or die "KmapconvForkEach: $out.status: $!\n";
	print $fh "$status\n";
	close($fh) or die "KmapconvForkEach: $out.status: $!\n";
}

INIT {
	my $list = $ENV{KMAPCONV_FORK_EACH};
	die "KmapconvForkEach: KMAPCONV_FORK_EACH is not set\n"
	    unless defined($list);
	my $slots = $ENV{KMAPCONV_FORK_JOBS} || 1;
	my %running;
	my $reap = sub {
		my $pid = waitpid(-1, 0);
		return if $pid <= 0;
		my $out = delete($running{$pid});
		# A signal is a failure too: 128 + its number, as a shell says.
		record($out, $? & 127 ? 128 + ($? & 127) : $? >> 8);
	};
	for my $job (read_jobs($list)) {
		my ($out, @argv) = @$job;
		$reap->() while keys(%running) >= $slots;
		my $pid = fork();
		die "KmapconvForkEach: fork: $!\n" unless defined($pid);
		if ($pid == 0) {
			open(STDIN, '<', '/dev/null') or POSIX::_exit(125);
			open(STDOUT, '>', $out) or POSIX::_exit(125);
			open(STDERR, '>', "$out.err") or POSIX::_exit(125);
			@ARGV = @argv;
			return;		# into PROGRAM, which runs once here
		}
		$running{$pid} = $out;
	}
	$reap->() while keys(%running);
	# Not PROGRAM's END blocks nor its exit: it never ran here.
	POSIX::_exit(0);
}

1;
