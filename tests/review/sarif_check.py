# SPDX-License-Identifier: GPL-2.0-only
"""A structural check of a SARIF 2.1.0 log against the parts of the
OASIS schema (sarif-schema-2.1.0.json) a review log uses, plus what
GitHub code scanning requires of an upload.

The schema is not fetched (no network in CI); its rules for these
objects are written out here: required properties, types, enums,
minimums, and -- as the schema says additionalProperties: false for
them -- that no other property appears.
"""

import re

LEVELS = ("none", "note", "warning", "error")

# object type -> (required, allowed) property names, from the schema.
OBJECTS = {
    "sarifLog": ({"version", "runs"},
                 {"$schema", "version", "runs", "inlineExternalProperties",
                  "properties"}),
    "run": ({"tool"},
            {"tool", "invocations", "conversion", "language",
             "versionControlProvenance", "originalUriBaseIds", "artifacts",
             "logicalLocations", "graphs", "results", "automationDetails",
             "runAggregates", "baselineGuid", "redactionTokens",
             "defaultEncoding", "defaultSourceLanguage", "newlineSequences",
             "columnKind", "externalPropertyFileReferences",
             "threadFlowLocations", "taxonomies", "addresses",
             "translations", "policies", "webRequests", "webResponses",
             "specialLocations", "properties"}),
    "tool": ({"driver"}, {"driver", "extensions", "properties"}),
    "toolComponent": ({"name"},
                      {"guid", "name", "organization", "product",
                       "productSuite", "shortDescription", "fullDescription",
                       "fullName", "version", "semanticVersion",
                       "dottedQuadFileVersion", "releaseDateUtc",
                       "downloadUri",
                       "informationUri", "globalMessageStrings",
                       "notifications", "rules", "taxa", "locations",
                       "language", "contents", "isComprehensive",
                       "localizedDataSemanticVersion",
                       "minimumRequiredLocalizedDataSemanticVersion",
                       "associatedComponent", "translationMetadata",
                       "supportedTaxonomies", "properties"}),
    "reportingDescriptor": ({"id"},
                            {"id", "deprecatedIds", "guid", "deprecatedGuids",
                             "name", "deprecatedNames", "shortDescription",
                             "fullDescription", "messageStrings",
                             "defaultConfiguration", "helpUri", "help",
                             "relationships", "properties"}),
    "multiformatMessageString": ({"text"}, {"text", "markdown",
                                            "properties"}),
    "reportingConfiguration": (set(), {"enabled", "level", "rank",
                                       "parameters", "properties"}),
    "result": ({"message"},
               {"guid", "correlationGuid", "ruleId", "ruleIndex", "rule",
                "taxa", "kind", "level", "message", "analysisTarget",
                "locations", "webRequest", "webResponse", "fingerprints",
                "partialFingerprints", "codeFlows", "graphs",
                "graphTraversals", "stacks", "relatedLocations",
                "suppressions", "baselineState", "rank", "attachments",
                "hostedViewerUri", "workItemUris", "provenance", "fixes",
                "occurrenceCount", "properties"}),
    "message": (set(), {"text", "markdown", "id", "arguments",
                        "properties"}),
    "location": (set(), {"id", "physicalLocation", "logicalLocations",
                         "message", "annotations", "relationships",
                         "properties"}),
    "physicalLocation": (set(), {"address", "artifactLocation", "region",
                                 "contextRegion", "properties"}),
    "artifactLocation": (set(), {"uri", "uriBaseId", "index",
                                 "description", "properties"}),
    "region": (set(), {"startLine", "startColumn", "endLine", "endColumn",
                       "charOffset", "charLength", "byteOffset",
                       "byteLength", "snippet", "message",
                       "sourceLanguage", "properties"}),
    "logicalLocation": (set(), {"name", "index", "fullyQualifiedName",
                                "decoratedName", "parentIndex", "kind",
                                "properties"}),
    "invocation": ({"executionSuccessful"},
                   {"commandLine", "arguments", "responseFiles",
                    "startTimeUtc", "endTimeUtc", "exitCode",
                    "ruleConfigurationOverrides",
                    "notificationConfigurationOverrides",
                    "toolExecutionNotifications",
                    "toolConfigurationNotifications", "exitCodeDescription",
                    "exitSignalName", "exitSignalNumber",
                    "processStartFailureMessage", "executionSuccessful",
                    "machine", "account", "processId", "executableLocation",
                    "workingDirectory", "environmentVariables", "stdin",
                    "stdout", "stderr", "stdoutStderr", "properties"}),
    "notification": ({"message"}, {"locations", "message", "level",
                                   "threadId", "timeUtc", "exception",
                                   "descriptor", "associatedRule",
                                   "properties"}),
    "runAutomationDetails": (set(), {"description", "id", "guid",
                                     "correlationGuid", "properties"}),
    "propertyBag": (set(), None),       # open
}


class SarifError(AssertionError):
    pass


def _obj(value, kind, where):
    if not isinstance(value, dict):
        raise SarifError("%s: %s must be an object" % (where, kind))
    required, allowed = OBJECTS[kind]
    missing = required - set(value)
    if missing:
        raise SarifError("%s: %s lacks %s" % (where, kind, sorted(missing)))
    if allowed is not None:
        extra = set(value) - allowed
        if extra:
            raise SarifError("%s: %s has unknown %s" % (where, kind,
                                                       sorted(extra)))
    return value


def _str(value, where):
    if not isinstance(value, str) or not value:
        raise SarifError("%s must be a non-empty string" % where)


def _int(value, where, minimum):
    if not isinstance(value, int) or isinstance(value, bool) \
            or value < minimum:
        raise SarifError("%s must be an integer >= %d" % (where, minimum))


def _message(m, where, kind="message"):
    _obj(m, kind, where)
    if "text" not in m and "id" not in m:
        raise SarifError("%s: message needs text or id" % where)
    if "text" in m:
        _str(m["text"], where + ".text")


def _properties(p, where):
    _obj(p, "propertyBag", where)
    if "tags" in p:
        tags = p["tags"]
        if not (isinstance(tags, list) and all(isinstance(t, str)
                                               for t in tags)
                and len(set(tags)) == len(tags)):
            raise SarifError("%s.tags must be unique strings" % where)


def _location(loc, where, github):
    _obj(loc, "location", where)
    if "id" in loc:
        _int(loc["id"], where + ".id", -1)
    if "message" in loc:
        _message(loc["message"], where + ".message")
    phys = loc.get("physicalLocation")
    if phys is None:
        if github:
            raise SarifError("%s: GitHub needs a physicalLocation" % where)
        return
    _obj(phys, "physicalLocation", where + ".physicalLocation")
    if "artifactLocation" not in phys and "address" not in phys:
        raise SarifError("%s: physicalLocation needs artifactLocation or "
                         "address" % where)
    art = _obj(phys["artifactLocation"], "artifactLocation",
               where + ".artifactLocation")
    _str(art.get("uri"), where + ".artifactLocation.uri")
    if re.match(r"^[a-z][a-z0-9+.-]*:", art["uri"]) or \
            art["uri"].startswith("/"):
        raise SarifError("%s: uri %r is not relative to the repository"
                         % (where, art["uri"]))
    region = _obj(phys.get("region"), "region", where + ".region")
    _int(region.get("startLine"), where + ".region.startLine", 1)
    if "startColumn" in region:
        _int(region["startColumn"], where + ".region.startColumn", 1)
    for i, logical in enumerate(loc.get("logicalLocations", [])):
        _obj(logical, "logicalLocation", "%s.logicalLocations[%d]"
             % (where, i))


def check_sarif(log, github=True):
    """Raise SarifError unless log is a valid SARIF 2.1.0 log (for the
    objects checked here) that GitHub code scanning accepts."""
    _obj(log, "sarifLog", "log")
    if log["version"] != "2.1.0":
        raise SarifError("version must be 2.1.0")
    if "$schema" in log:
        _str(log["$schema"], "$schema")
        if "2.1.0" not in log["$schema"]:
            raise SarifError("$schema does not name SARIF 2.1.0")
    if not isinstance(log["runs"], list) or not log["runs"]:
        raise SarifError("runs must be a non-empty array")
    for r, run in enumerate(log["runs"]):
        where = "runs[%d]" % r
        _obj(run, "run", where)
        tool = _obj(run["tool"], "tool", where + ".tool")
        driver = _obj(tool["driver"], "toolComponent", where + ".driver")
        _str(driver["name"], where + ".driver.name")
        rules = driver.get("rules", [])
        ids = []
        for i, rule in enumerate(rules):
            rw = "%s.rules[%d]" % (where, i)
            _obj(rule, "reportingDescriptor", rw)
            _str(rule["id"], rw + ".id")
            ids.append(rule["id"])
            for key in ("shortDescription", "fullDescription", "help"):
                if key in rule:
                    _message(rule[key], rw + "." + key,
                             "multiformatMessageString")
            if "defaultConfiguration" in rule:
                conf = _obj(rule["defaultConfiguration"],
                            "reportingConfiguration", rw)
                if conf.get("level", "warning") not in LEVELS:
                    raise SarifError("%s: bad level" % rw)
            if "properties" in rule:
                _properties(rule["properties"], rw + ".properties")
        if len(set(ids)) != len(ids):
            raise SarifError("%s: rule ids are not unique" % where)
        for i, inv in enumerate(run.get("invocations", [])):
            iw = "%s.invocations[%d]" % (where, i)
            _obj(inv, "invocation", iw)
            if not isinstance(inv["executionSuccessful"], bool):
                raise SarifError("%s.executionSuccessful must be boolean"
                                 % iw)
            for j, note in enumerate(inv.get("toolExecutionNotifications",
                                             [])):
                nw = "%s.toolExecutionNotifications[%d]" % (iw, j)
                _obj(note, "notification", nw)
                _message(note["message"], nw + ".message")
                if note.get("level", "warning") not in LEVELS:
                    raise SarifError("%s: bad level" % nw)
        if "automationDetails" in run:
            _obj(run["automationDetails"], "runAutomationDetails",
                 where + ".automationDetails")
        for i, res in enumerate(run.get("results", [])):
            rw = "%s.results[%d]" % (where, i)
            _obj(res, "result", rw)
            _message(res["message"], rw + ".message")
            if github:
                _str(res.get("ruleId"), rw + ".ruleId")
            if "ruleIndex" in res:
                _int(res["ruleIndex"], rw + ".ruleIndex", -1)
                if not 0 <= res["ruleIndex"] < len(ids) or \
                        ids[res["ruleIndex"]] != res.get("ruleId"):
                    raise SarifError("%s: ruleIndex does not point at rule "
                                     "%s" % (rw, res.get("ruleId")))
            elif github and res.get("ruleId") not in ids:
                raise SarifError("%s: ruleId %s is not a rule of the driver"
                                 % (rw, res.get("ruleId")))
            if res.get("level", "warning") not in LEVELS:
                raise SarifError("%s: bad level" % rw)
            locs = res.get("locations", [])
            if github and not 1 <= len(locs) <= 10:
                raise SarifError("%s: GitHub needs 1 to 10 locations" % rw)
            for j, loc in enumerate(locs):
                _location(loc, "%s.locations[%d]" % (rw, j), github)
            for j, loc in enumerate(res.get("relatedLocations", [])):
                _location(loc, "%s.relatedLocations[%d]" % (rw, j), github)
            fps = res.get("partialFingerprints", {})
            if not all(isinstance(v, str) for v in fps.values()):
                raise SarifError("%s: fingerprints must be strings" % rw)
