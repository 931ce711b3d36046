/**
 * The form sections of the rule-set editor. They live inside one antd Form whose store is the
 * rule-set JSON itself, so field names are JSON paths and validation errors land on their field.
 */
import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  CopyOutlined,
  DeleteOutlined,
  PlusOutlined,
  SearchOutlined,
} from '@ant-design/icons';
import {
  AutoComplete,
  Button,
  Col,
  DatePicker,
  Flex,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Row,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import type { ChangeEvent, HTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';
import MatchEditor from './MatchEditor';
import { GRADE_COLORS, GRADES, ON_SITE_CHECKS, type Rule, SEVERITIES, VETO_FLAGS } from './types';

const MONO = { fontFamily: 'monospace' } as const;
const CELL = { marginBottom: 0 } as const;

const dateProps = {
  getValueProps: (v: unknown) => ({ value: typeof v === 'string' && v ? dayjs(v) : null }),
  normalize: (d: Dayjs | null) => (d ? d.format('YYYY-MM-DD') : ''),
};

/** The draw ratio is stored as a fraction (0.05) and edited as a percentage (5). */
const percentProps = {
  getValueProps: (v: unknown) => ({
    value: typeof v === 'number' ? Math.round(v * 10000) / 100 : v,
  }),
  normalize: (v: number | null) => (typeof v === 'number' ? Math.round(v * 100) / 10000 : v),
};

export function BasicSection({ meta }: { meta: { id: string; version: number } }) {
  const { t } = useTranslation();
  return (
    <Row gutter={24}>
      <Col xs={24} md={12}>
        <Form.Item label={t('creditRules.fields.nameZh')} name={['name', 'zh']}>
          <Input data-testid="ruleset-name-zh" />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item label={t('creditRules.fields.nameEn')} name={['name', 'en']}>
          <Input />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item label={t('creditRules.fields.id')}>
          <Input value={meta.id} disabled style={MONO} />
        </Form.Item>
      </Col>
      <Col xs={12} md={6}>
        <Form.Item label={t('creditRules.fields.version')}>
          <Input value={`v${meta.version}`} disabled style={MONO} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item
          label={t('creditRules.fields.effectiveFrom')}
          name="effectiveFrom"
          extra={t('creditRules.effectiveFromHelp')}
          {...dateProps}
        >
          <DatePicker
            style={{ width: '100%' }}
            disabledDate={(d) => d.isBefore(dayjs(), 'day')}
            data-testid="ruleset-effective-from"
          />
        </Form.Item>
      </Col>
      <Col xs={8} md={6}>
        <Form.Item label={t('creditRules.fields.base')} name="base" extra={t('creditRules.baseHelp')}>
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={8} md={6}>
        <Form.Item label={t('creditRules.fields.boundsMin')} name={['bounds', 'min']}>
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={8} md={6}>
        <Form.Item label={t('creditRules.fields.boundsMax')} name={['bounds', 'max']}>
          <InputNumber precision={0} style={{ width: '100%' }} />
        </Form.Item>
      </Col>
      <Col xs={24} md={12}>
        <Form.Item
          label={t('creditRules.fields.publishGrades')}
          name={['disclosure', 'publishGrades']}
          valuePropName="checked"
          extra={t('creditRules.publishGradesHelp')}
        >
          <Switch />
        </Form.Item>
      </Col>
      <Col xs={24}>
        <Form.Item label={t('creditRules.fields.notes')} name="notes">
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} />
        </Form.Item>
      </Col>
    </Row>
  );
}

export function GradesSection({ readOnly }: { readOnly: boolean }) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  return (
    <>
      <Typography.Title level={5} style={{ marginTop: 0 }}>
        {t('creditRules.gradesTitle')}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('creditRules.gradesHelp')}</Typography.Paragraph>
      <Form.List name="grades">
        {(fields) => (
          <Table
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={fields}
            style={{ marginBottom: 24 }}
            data-testid="ruleset-grades"
            columns={[
              {
                title: t('creditRules.fields.grade'),
                key: 'grade',
                width: 70,
                render: (_, f) => {
                  const g = form.getFieldValue(['grades', f.name, 'grade']) as string;
                  return (
                    <Tag color={GRADE_COLORS[g as keyof typeof GRADE_COLORS]} style={{ fontWeight: 600 }}>
                      {g}
                    </Tag>
                  );
                },
              },
              {
                title: t('creditRules.fields.minScore'),
                key: 'minScore',
                width: 150,
                render: (_, f) => (
                  <Form.Item name={[f.name, 'minScore']} style={CELL}>
                    <InputNumber precision={0} prefix="≥" style={{ width: 120 }} />
                  </Form.Item>
                ),
              },
              {
                title: t('creditRules.fields.labelZh'),
                key: 'zh',
                render: (_, f) => (
                  <Form.Item name={[f.name, 'label', 'zh']} style={CELL}>
                    <Input />
                  </Form.Item>
                ),
              },
              {
                title: t('creditRules.fields.labelEn'),
                key: 'en',
                render: (_, f) => (
                  <Form.Item name={[f.name, 'label', 'en']} style={CELL}>
                    <Input />
                  </Form.Item>
                ),
              },
            ]}
          />
        )}
      </Form.List>

      <Typography.Title level={5}>{t('creditRules.vetoesTitle')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('creditRules.vetoesHelp')}</Typography.Paragraph>
      <Form.List name="vetoes">
        {(fields, { add, remove }) => (
          <>
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={fields}
              scroll={{ x: 900 }}
              data-testid="ruleset-vetoes"
              locale={{ emptyText: t('creditRules.noVetoes') }}
              columns={[
                {
                  title: t('creditRules.fields.id'),
                  key: 'id',
                  width: 200,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'id']} style={CELL}>
                      <Input style={MONO} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.flag'),
                  key: 'flag',
                  width: 200,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'when', 'flag']} style={CELL}>
                      <Select
                        options={VETO_FLAGS.map((v) => ({ value: v, label: t(`creditRules.flag.${v}`) }))}
                      />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.cap'),
                  key: 'cap',
                  width: 110,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'cap']} style={CELL}>
                      <Select options={GRADES.map((g) => ({ value: g, label: g }))} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.labelZh'),
                  key: 'zh',
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'label', 'zh']} style={CELL}>
                      <Input />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.labelEn'),
                  key: 'en',
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'label', 'en']} style={CELL}>
                      <Input />
                    </Form.Item>
                  ),
                },
                ...(readOnly
                  ? []
                  : [
                      {
                        title: '',
                        key: 'remove',
                        width: 48,
                        render: (_: unknown, f: { name: number }) => (
                          <Button
                            type="text"
                            danger
                            icon={<DeleteOutlined />}
                            aria-label={t('creditRules.remove')}
                            onClick={() => remove(f.name)}
                          />
                        ),
                      },
                    ]),
              ]}
            />
            {!readOnly && (
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                style={{ marginTop: 8 }}
                onClick={() =>
                  add({ id: '', when: { flag: 'blacklisted' }, cap: 'D', label: { zh: '', en: '' } })
                }
              >
                {t('creditRules.addVeto')}
              </Button>
            )}
          </>
        )}
      </Form.List>
    </>
  );
}

export function SupervisionSection() {
  const { t } = useTranslation();
  return (
    <>
      <Typography.Paragraph type="secondary">{t('creditRules.supervisionHelp')}</Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey={(g) => g}
        dataSource={[...GRADES]}
        data-testid="ruleset-supervision"
        style={{ maxWidth: 860 }}
        columns={[
          {
            title: t('creditRules.fields.grade'),
            key: 'grade',
            width: 70,
            render: (_, g) => (
              <Tag color={GRADE_COLORS[g]} style={{ fontWeight: 600 }}>
                {g}
              </Tag>
            ),
          },
          {
            title: t('creditRules.fields.drawRatio'),
            key: 'drawRatio',
            width: 170,
            render: (_, g) => (
              <Form.Item name={['supervision', g, 'drawRatio']} style={CELL} {...percentProps}>
                <InputNumber min={0} max={100} step={1} suffix="%" style={{ width: 130 }} />
              </Form.Item>
            ),
          },
          {
            title: t('creditRules.fields.onSiteCheck'),
            key: 'onSiteCheck',
            render: (_, g) => (
              <Form.Item name={['supervision', g, 'onSiteCheck']} style={CELL}>
                <Select
                  style={{ width: 260 }}
                  options={ON_SITE_CHECKS.map((v) => ({ value: v, label: t(`creditRules.onSite.${v}`) }))}
                />
              </Form.Item>
            ),
          },
          {
            title: t('creditRules.fields.inspectionsPerYear'),
            key: 'inspectionsPerYear',
            width: 170,
            render: (_, g) => (
              <Form.Item name={['supervision', g, 'inspectionsPerYear']} style={CELL}>
                <InputNumber min={0} precision={0} suffix={t('creditRules.perYear')} style={{ width: 130 }} />
              </Form.Item>
            ),
          },
        ]}
      />
    </>
  );
}

/** One line in the table; the whole text shows on hover and in the JSON tab. */
function SourceInput({
  value,
  ...rest
}: {
  value?: string;
  onChange?: (e: ChangeEvent<HTMLInputElement>) => void;
}) {
  return <Input size="small" value={value} title={value} {...rest} />;
}

const NEW_RULE: Rule = {
  id: '',
  eventType: '',
  points: -5,
  validity: { years: 1 },
  severity: 'minor',
  publishable: true,
  label: { zh: '', en: '' },
  source: '',
};

export function RulesSection({
  readOnly,
  errorRows,
  filter,
  onFilterChange,
}: {
  readOnly: boolean;
  /** Indexes of rules with a validation error, highlighted in the table. */
  errorRows: ReadonlySet<number>;
  filter: string;
  onFilterChange: (value: string) => void;
}) {
  const { t } = useTranslation();
  const form = Form.useFormInstance();
  // Read at render time (the table re-renders when rows are added, moved or filtered), so typing
  // in one cell does not re-render the whole table.
  const rules = (form.getFieldValue('rules') as Rule[] | undefined) ?? [];
  const eventTypes = [...new Set(rules.map((r) => r?.eventType).filter((x): x is string => !!x))]
    .sort()
    .map((value) => ({ value }));

  const matches = (i: number) => {
    const q = filter.trim().toLowerCase();
    if (!q) return true;
    const r = rules[i];
    if (!r) return true;
    return [r.id, r.eventType, r.label?.zh, r.label?.en].some((s) => s?.toLowerCase().includes(q));
  };

  return (
    <Form.List name="rules">
      {(fields, { add, remove, move }) => {
        const shown = fields.filter((f) => matches(f.name));
        return (
          <>
            <Flex justify="space-between" align="center" wrap gap={12} style={{ marginBottom: 12 }}>
              <Space wrap>
                <Input
                  allowClear
                  disabled={false}
                  prefix={<SearchOutlined style={{ color: '#a0a7b4' }} />}
                  placeholder={t('creditRules.ruleFilter')}
                  value={filter}
                  onChange={(e) => onFilterChange(e.target.value)}
                  style={{ width: 280 }}
                  data-testid="rule-filter"
                />
                <Typography.Text type="secondary">
                  {t('creditRules.ruleCount', { shown: shown.length, n: fields.length })}
                </Typography.Text>
              </Space>
              {!readOnly && (
                <Button
                  icon={<PlusOutlined />}
                  onClick={() => {
                    onFilterChange('');
                    add(structuredClone(NEW_RULE));
                    setTimeout(() => form.scrollToField(['rules', fields.length, 'id'], { block: 'center' }));
                  }}
                  data-testid="rule-add"
                >
                  {t('creditRules.addRule')}
                </Button>
              )}
            </Flex>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('creditRules.rulesHelp')}
            </Typography.Paragraph>
            <Table
              size="small"
              bordered
              pagination={false}
              rowKey="key"
              dataSource={shown}
              data-testid="ruleset-rules"
              scroll={{ x: 2130 }}
              sticky={{ offsetHeader: 56 }}
              rowClassName={(f) => (errorRows.has(f.name) ? 'ruleset-row-error' : '')}
              onRow={(f) => ({ 'data-rule-index': f.name }) as HTMLAttributes<HTMLElement>}
              columns={[
                {
                  title: '#',
                  key: 'order',
                  width: readOnly ? 44 : 84,
                  fixed: 'left',
                  render: (_, f) => (
                    <Flex align="center" gap={2}>
                      <Typography.Text type={errorRows.has(f.name) ? 'danger' : 'secondary'}>
                        {f.name + 1}
                      </Typography.Text>
                      {!readOnly && (
                        <Space.Compact size="small">
                          <Tooltip title={t('creditRules.moveUp')}>
                            <Button
                              size="small"
                              type="text"
                              icon={<ArrowUpOutlined />}
                              disabled={f.name === 0}
                              aria-label={t('creditRules.moveUp')}
                              onClick={() => move(f.name, f.name - 1)}
                            />
                          </Tooltip>
                          <Tooltip title={t('creditRules.moveDown')}>
                            <Button
                              size="small"
                              type="text"
                              icon={<ArrowDownOutlined />}
                              disabled={f.name === fields.length - 1}
                              aria-label={t('creditRules.moveDown')}
                              onClick={() => move(f.name, f.name + 1)}
                            />
                          </Tooltip>
                        </Space.Compact>
                      )}
                    </Flex>
                  ),
                },
                {
                  title: t('creditRules.fields.id'),
                  key: 'id',
                  width: 230,
                  fixed: 'left',
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'id']} style={CELL}>
                      <Input style={MONO} size="small" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.eventType'),
                  key: 'eventType',
                  width: 250,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'eventType']} style={CELL}>
                      <AutoComplete
                        size="small"
                        options={eventTypes}
                        style={{ width: '100%', ...MONO }}
                        showSearch={{
                          filterOption: (input, option) =>
                            String(option?.value ?? '')
                              .toLowerCase()
                              .includes(input.toLowerCase()),
                        }}
                        popupMatchSelectWidth={false}
                      />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.match'),
                  key: 'match',
                  width: 230,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'match']} style={CELL}>
                      <MatchEditor disabled={readOnly} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.points'),
                  key: 'points',
                  width: 90,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'points']} style={CELL}>
                      <InputNumber size="small" precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.validity'),
                  key: 'validity',
                  width: 170,
                  render: (_, f) => (
                    <Flex gap={4}>
                      <Form.Item name={[f.name, 'validity', 'years']} style={CELL}>
                        <InputNumber
                          size="small"
                          min={0}
                          precision={0}
                          suffix={t('creditRules.years')}
                          style={{ width: 76 }}
                          aria-label={t('creditRules.fields.years')}
                        />
                      </Form.Item>
                      <Form.Item name={[f.name, 'validity', 'months']} style={CELL}>
                        <InputNumber
                          size="small"
                          min={0}
                          precision={0}
                          suffix={t('creditRules.months')}
                          style={{ width: 76 }}
                          aria-label={t('creditRules.fields.months')}
                        />
                      </Form.Item>
                    </Flex>
                  ),
                },
                {
                  title: t('creditRules.fields.severity'),
                  key: 'severity',
                  width: 110,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'severity']} style={CELL}>
                      <Select
                        size="small"
                        options={SEVERITIES.map((s) => ({ value: s, label: t(`creditRules.severity.${s}`) }))}
                      />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.publishable'),
                  key: 'publishable',
                  width: 80,
                  align: 'center',
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'publishable']} valuePropName="checked" style={CELL}>
                      <Switch size="small" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.labelZh'),
                  key: 'zh',
                  width: 250,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'label', 'zh']} style={CELL}>
                      <Input size="small" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.labelEn'),
                  key: 'en',
                  width: 250,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'label', 'en']} style={CELL}>
                      <Input size="small" />
                    </Form.Item>
                  ),
                },
                {
                  title: t('creditRules.fields.source'),
                  key: 'source',
                  width: 320,
                  render: (_, f) => (
                    <Form.Item name={[f.name, 'source']} style={CELL}>
                      <SourceInput />
                    </Form.Item>
                  ),
                },
                ...(readOnly
                  ? []
                  : [
                      {
                        title: '',
                        key: 'actions',
                        width: 76,
                        fixed: 'right' as const,
                        render: (_: unknown, f: { name: number }) => (
                          <Space.Compact size="small">
                            <Tooltip title={t('creditRules.duplicate')}>
                              <Button
                                size="small"
                                type="text"
                                icon={<CopyOutlined />}
                                aria-label={t('creditRules.duplicate')}
                                onClick={() => {
                                  const r = form.getFieldValue(['rules', f.name]) as Rule;
                                  add({ ...structuredClone(r), id: `${r.id}.copy` }, f.name + 1);
                                }}
                              />
                            </Tooltip>
                            <Popconfirm
                              title={t('creditRules.removeRuleConfirm')}
                              onConfirm={() => remove(f.name)}
                            >
                              <Button
                                size="small"
                                type="text"
                                danger
                                icon={<DeleteOutlined />}
                                aria-label={t('creditRules.remove')}
                              />
                            </Popconfirm>
                          </Space.Compact>
                        ),
                      },
                    ]),
              ]}
            />
          </>
        );
      }}
    </Form.List>
  );
}
