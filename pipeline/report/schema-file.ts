import { QualityReportSchema } from './schema.js';

/** quality-report.schema.json's text: the TypeBox schema as plain JSON Schema, two-space indented. */
export function schemaJson(): string {
  return `${JSON.stringify(QualityReportSchema, null, 2)}\n`;
}
