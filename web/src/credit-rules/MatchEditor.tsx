import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Flex, Input, Popover, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseMatchValue } from './ruleSetBody';
import type { MatchValue } from './types';

interface Props {
  value?: Record<string, MatchValue> | null;
  onChange?: (value: Record<string, MatchValue> | undefined) => void;
  disabled?: boolean;
  'aria-invalid'?: boolean | 'true' | 'false';
}

type Row = { key: string; value: string };

const toRows = (v: Record<string, MatchValue> | null | undefined): Row[] =>
  Object.entries(v ?? {}).map(([key, value]) => ({ key, value: String(value) }));

/**
 * The payload fields an event must carry for a rule to apply (`severity = serious`), shown as
 * tags and edited in a small pop-over. Numbers and true/false are stored as such.
 */
export default function MatchEditor({ value, onChange, disabled, ...rest }: Props) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [rows, setRows] = useState<Row[]>([]);
  const entries = Object.entries(value ?? {});
  const invalid = rest['aria-invalid'] === true || rest['aria-invalid'] === 'true';

  const apply = () => {
    const next: Record<string, MatchValue> = {};
    for (const r of rows) if (r.key.trim()) next[r.key.trim()] = parseMatchValue(r.value);
    onChange?.(Object.keys(next).length ? next : undefined);
    setOpen(false);
  };

  const tags = entries.length ? (
    <Flex wrap gap={4} style={{ minWidth: 0 }}>
      {entries.map(([k, v]) => (
        <Tag
          key={k}
          title={`${k} = ${String(v)}`}
          style={{
            marginInlineEnd: 0,
            fontFamily: 'monospace',
            fontSize: 12,
            maxWidth: 180,
            overflow: 'hidden',
            textOverflow: 'ellipsis',
          }}
        >
          {k} = {typeof v === 'string' ? v : JSON.stringify(v)}
        </Tag>
      ))}
    </Flex>
  ) : (
    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
      {t('creditRules.matchAny')}
    </Typography.Text>
  );

  if (disabled) return tags;

  const editor = (
    <div style={{ width: 340 }} data-testid="match-editor">
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 8 }}>
        {t('creditRules.matchHelp')}
      </Typography.Paragraph>
      <Flex vertical gap={6}>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
          <Flex key={i} gap={6} align="center">
            <Input
              size="small"
              placeholder={t('creditRules.matchField')}
              value={r.key}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))}
              style={{ fontFamily: 'monospace' }}
            />
            <span>=</span>
            <Input
              size="small"
              placeholder={t('creditRules.matchValue')}
              value={r.value}
              onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))}
              style={{ fontFamily: 'monospace' }}
            />
            <Button
              size="small"
              type="text"
              danger
              icon={<DeleteOutlined />}
              aria-label={t('creditRules.remove')}
              onClick={() => setRows(rows.filter((_, j) => j !== i))}
            />
          </Flex>
        ))}
        <Button
          size="small"
          type="dashed"
          icon={<PlusOutlined />}
          onClick={() => setRows([...rows, { key: '', value: '' }])}
        >
          {t('creditRules.matchAdd')}
        </Button>
      </Flex>
      <Flex justify="flex-end" gap={8} style={{ marginTop: 10 }}>
        <Button size="small" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </Button>
        <Button size="small" type="primary" onClick={apply}>
          {t('common.confirm')}
        </Button>
      </Flex>
    </div>
  );

  return (
    <Popover
      trigger="click"
      open={open}
      onOpenChange={(o) => {
        if (o) setRows(toRows(value).length ? toRows(value) : [{ key: '', value: '' }]);
        setOpen(o);
      }}
      content={editor}
      title={t('creditRules.fields.match')}
    >
      <button
        type="button"
        aria-label={t('creditRules.fields.match')}
        style={{
          display: 'flex',
          gap: 6,
          alignItems: 'center',
          justifyContent: 'space-between',
          width: '100%',
          textAlign: 'start',
          background: 'none',
          font: 'inherit',
          cursor: 'pointer',
          minHeight: 32,
          padding: '2px 6px',
          borderRadius: 4,
          border: `1px ${invalid ? 'solid #ff4d4f' : 'dashed #d9d9d9'}`,
        }}
      >
        {tags}
        <EditOutlined style={{ color: '#8c8c8c', flex: 'none' }} />
      </button>
    </Popover>
  );
}
