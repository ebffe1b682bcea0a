// The checklist's home is the engine (server/src/engine/staging/checklist.ts): the CLI and the editor write the same text.
export { checklistSections, fillChecklist, findChecklistBlock } from '../engine/staging/checklist';
