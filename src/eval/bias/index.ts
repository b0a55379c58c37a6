export { audit, weatFromAssociations, DEFAULT_AUDIT_TESTS, AUDIT_STATEMENT, type WordSet, type WeatTest, type AuditOptions, type AuditResult, type WeatResult } from './weat.js';
