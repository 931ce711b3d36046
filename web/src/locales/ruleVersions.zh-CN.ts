/** 规则集版本 (ruleVersions.*): standing labels and the comparison with the previous version. */
const ruleVersionsZhCN = {
  standing: {
    draft: '草稿',
    inForce: '现行',
    scheduled: '将于 {{date}} 生效',
    superseded: '已被取代',
  },
  compare: '与上一版本比较',
  compareTitle: '{{id}}：v{{from}} → v{{to}} 的变化',
  noChanges: '两个版本的内容相同',
  loadFailed: '无法加载版本比较',
  kind: { added: '新增', removed: '删除', changed: '修改' },
  what: '变化项',
  before: '原',
  after: '现',
};
export default ruleVersionsZhCN;
