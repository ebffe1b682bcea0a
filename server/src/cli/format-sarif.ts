import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Region, Result, ArtifactLocation } from 'sarif';
import { version } from '../../../package.json';
import { ALL_RULES, renderRuleDoc, type Finding, type LineIndex, type OffsetRange, type Rule, type Severity } from '../engine';
import { fingerprints } from './fingerprint';
import { REPOSITORY_URL, ruleDocsWebUrl } from './project-links';
import { slashPath, type FileReport } from './report';

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const LEVEL: Readonly<Record<Severity, Result.level>> = { error: 'error', warning: 'warning', info: 'note' };
/** Relative artifact URIs are relative to the directory lockguard ran in (the repository root in CI). */
const SOURCE_ROOT = '%SRCROOT%';

/**
 * A SARIF 2.1.0 log (GitHub code scanning, Azure DevOps, the SARIF viewers): every rule with its
 * documentation, and each finding with its location, a stable fingerprint and its fixes as replacements.
 */
export function formatSarif(reports: readonly FileReport[], cwd: string = process.cwd()): string {
  const ruleIndex = new Map(ALL_RULES.map((rule, index) => [rule.id, index]));
  const log: Log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Lockguard', version, semanticVersion: version, informationUri: REPOSITORY_URL, rules: ALL_RULES.map(descriptor) } },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: `${pathToFileURL(cwd).href.replace(/\/$/, '')}/` } },
        // Lockguard's positions are UTF-16 offsets, as in LSP; SARIF's default would be code points.
        columnKind: 'utf16CodeUnits',
        results: reports.flatMap((report) => {
          const ids = fingerprints(report);
          return report.findings.map((finding, index) => result(report, finding, ids[index]!, ruleIndex.get(finding.ruleId)));
        }),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function descriptor(rule: Rule): ReportingDescriptor {
  return {
    id: rule.id,
    shortDescription: { text: rule.docs.summary },
    fullDescription: { text: rule.docs.why, markdown: rule.docs.why },
    help: { text: `${rule.docs.summary} ${rule.docs.instead}`, markdown: renderRuleDoc(rule) },
    helpUri: ruleDocsWebUrl(rule.id),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    // Code scanning filters alerts by tag: the category (locks, style, …) is one.
    properties: { tags: ['postgresql', 'migration', rule.category], category: rule.category },
  };
}

function result(report: FileReport, finding: Finding, fingerprint: string, ruleIndex: number | undefined): Result {
  const artifactLocation = artifact(report.file);
  const text = finding.noFixReason ? `${finding.message} No automatic fix: ${finding.noFixReason}` : finding.message;
  return {
    ruleId: finding.ruleId,
    ...(ruleIndex === undefined ? {} : { ruleIndex }),
    level: LEVEL[finding.severity],
    message: { text },
    locations: [{ physicalLocation: { artifactLocation, region: region(report.lines, finding.range) } }],
    ...(finding.related.length === 0
      ? {}
      : {
          relatedLocations: finding.related.map((related, id) => ({
            id,
            message: { text: related.message },
            physicalLocation: { artifactLocation, region: region(report.lines, related.range) },
          })),
        }),
    partialFingerprints: { 'lockguard/v1': fingerprint },
    fixes: finding.fixes.map((fix) => ({
      description: { text: fix.title },
      artifactChanges: [
        {
          artifactLocation,
          replacements: fix.edits.map((edit) => ({ deletedRegion: region(report.lines, edit.range), insertedContent: { text: edit.newText } })),
        },
      ],
    })),
  };
}

/** SARIF lines and columns are 1-based and the end column is exclusive; an empty region is an insertion point. */
function region(lines: LineIndex, range: OffsetRange): Region {
  const start = lines.positionAt(range.start);
  const end = lines.positionAt(range.end);
  return { startLine: start.line + 1, startColumn: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

function artifact(file: string): ArtifactLocation {
  if (isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: slashPath(file).split('/').map(encodeURIComponent).join('/'), uriBaseId: SOURCE_ROOT };
}
