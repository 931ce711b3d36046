/** Rule-set versions (ruleVersions.*): standing labels and the comparison with the previous version. */
const ruleVersionsEnUS = {
  standing: {
    draft: 'Draft',
    inForce: 'In force',
    scheduled: 'Takes force on {{date}}',
    superseded: 'Superseded',
  },
  compare: 'Compare with previous version',
  compareTitle: '{{id}}: changes from v{{from}} to v{{to}}',
  noChanges: 'The two versions are the same',
  loadFailed: 'Could not load the comparison',
  kind: { added: 'Added', removed: 'Removed', changed: 'Changed' },
  what: 'What changed',
  before: 'Before',
  after: 'After',
};
export default ruleVersionsEnUS;
