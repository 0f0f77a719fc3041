/**
 * The quality report's types, taken from its schema (report/schema.ts), so
 * that what the code builds and what the schema checks are one thing.
 */
import type { Static } from '@sinclair/typebox';
import type { QualityReportSchema } from './schema.js';
import type { GroupSection } from './schema-group.js';
import type { Finding as FindingSchema, Severity as SeveritySchema, Status as StatusSchema } from './schema-parts.js';
import type { Finding } from './findings.js';

export type QualityReport = Static<typeof QualityReportSchema>;
export type GroupReport = Static<typeof GroupSection>;
export type Severity = Static<typeof SeveritySchema>;
export type Status = Static<typeof StatusSchema>;

/** Compile-time proof that findings.ts's Finding is the schema's finding. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type FindingsAgree = Assert<Same<Static<typeof FindingSchema>, Finding>>;
