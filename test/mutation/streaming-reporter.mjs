// Stryker reporter: one JSON line per tested mutant, appended as soon as Stryker reports it, so a run
// stopped before its end (long, loaded runs) keeps every result it reached.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { PluginKind, commonTokens, declareClassPlugin } from '@stryker-mutator/api/plugin';

export const strykerValidationSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    streamingReporter: {
      description: 'Where the streaming reporter writes its JSON lines.',
      type: 'object',
      properties: { fileName: { type: 'string', default: 'reports/mutation-stream.jsonl' } },
      default: {},
    },
  },
};

class StreamingReporter {
  static inject = [commonTokens.options];

  constructor(options) {
    this.fileName = process.env.STRYKER_STREAM_FILE ?? options.streamingReporter?.fileName ?? 'reports/mutation-stream.jsonl';
    this.testNames = new Map();
    mkdirSync(dirname(this.fileName), { recursive: true });
    writeFileSync(this.fileName, '');
  }

  onDryRunCompleted(event) {
    for (const test of event.result.tests ?? []) this.testNames.set(test.id, test.name);
  }

  onMutantTested(result) {
    const line = {
      file: relative(process.cwd(), result.fileName),
      at: `${result.location.start.line}:${result.location.start.column}`,
      mutator: result.mutatorName,
      replacement: result.replacement,
      status: result.status,
      killedBy: (result.killedBy ?? []).map((id) => this.testNames.get(id) ?? id),
      reason: result.status === 'Killed' ? undefined : result.statusReason,
    };
    appendFileSync(this.fileName, `${JSON.stringify(line)}\n`);
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'streaming', StreamingReporter)];
