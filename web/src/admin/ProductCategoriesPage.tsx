import { EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Button,
  type ButtonProps,
  Card,
  Flex,
  Form,
  Input,
  Modal,
  Select,
  Switch,
  Table,
  type TableColumnsType,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, showApiError, showSuccess } from '../api/client';
import { useIsEnglish, useRefNames } from '../api/reference';
import type { ListOf, NewProductCategory, ProductCategory, ProductCategoryPatch } from '../api/types';
import { useSession } from '../auth/session';
import PageTitle from '../components/PageTitle';
import { IndustrySelect } from '../components/RefSelects';

const QUERY_KEY = ['product-categories'];
const CODE_PATTERN = /^\d{2}(\d{2})*$/;

type Row = ProductCategory & { children?: Row[] };

interface FormValues {
  code: string;
  name: string;
  nameEn?: string;
  parentCode?: string | null;
  industryCode?: string | null;
  active: boolean;
}

/** Top-level categories with their children nested (orphans whose parent is unknown stay on top). */
function toTree(items: ProductCategory[]): Row[] {
  const sorted = [...items].sort((a, b) => a.code.localeCompare(b.code));
  const byCode = new Map<string, Row>(sorted.map((c) => [c.code, { ...c }]));
  const roots: Row[] = [];
  for (const row of byCode.values()) {
    const parent = row.parentCode ? byCode.get(row.parentCode) : undefined;
    if (parent && parent !== row) {
      parent.children ??= [];
      parent.children.push(row);
    } else {
      roots.push(row);
    }
  }
  return roots;
}

/** `null` closed, `'new'` creating, a category editing it. */
type Target = ProductCategory | 'new' | null;

function CategoryModal({
  target,
  topLevel,
  onClose,
}: {
  target: Target;
  topLevel: ProductCategory[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const editing = target && target !== 'new' ? target : null;

  useEffect(() => {
    if (!target) return;
    form.resetFields();
    if (target !== 'new') {
      form.setFieldsValue({
        code: target.code,
        name: target.name,
        nameEn: target.nameEn,
        parentCode: target.parentCode,
        industryCode: target.industryCode,
        active: target.active,
      });
    }
  }, [target, form]);

  const save = useMutation({
    meta: { silent: true },
    mutationFn: (v: FormValues) => {
      const fields: ProductCategoryPatch = {
        name: v.name.trim(),
        nameEn: v.nameEn?.trim() ?? '',
        parentCode: v.parentCode ?? null,
        industryCode: v.industryCode ?? null,
        active: v.active,
      };
      if (editing) {
        return api.patch<ProductCategory>(
          `/api/v1/product-categories/${encodeURIComponent(editing.code)}`,
          fields,
        );
      }
      const body: NewProductCategory = { ...fields, code: v.code.trim(), name: v.name.trim() };
      if (!body.nameEn) delete body.nameEn;
      return api.post<ProductCategory>('/api/v1/product-categories', body);
    },
    onSuccess: () => {
      showSuccess(editing ? t('categories.updated') : t('categories.created'));
      void qc.invalidateQueries({ queryKey: QUERY_KEY });
      onClose();
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 409 && !e.fields.length) {
        form.setFields([{ name: 'code', errors: [t('categories.codeExists')] }]);
      }
      showApiError(e, form);
    },
  });

  const parentOptions = topLevel
    .filter((c) => c.code !== editing?.code)
    .map((c) => ({
      value: c.code,
      label: `${c.code} ${en ? c.nameEn || c.name : c.name}`,
    }));

  return (
    <Modal
      title={editing ? t('categories.editTitle', { code: editing.code }) : t('categories.create')}
      open={!!target}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('common.save')}
      okButtonProps={{ 'data-testid': 'category-save' } as ButtonProps}
      confirmLoading={save.isPending}
      forceRender
    >
      <Form<FormValues>
        name="productCategory"
        form={form}
        layout="vertical"
        onFinish={(v) => save.mutate(v)}
        initialValues={{ active: true }}
        data-testid="category-form"
        style={{ marginTop: 16 }}
      >
        <Form.Item
          name="code"
          label={t('categories.code')}
          extra={t('categories.codeRule')}
          rules={[
            { required: true, message: t('categories.codeRequired') },
            { pattern: CODE_PATTERN, message: t('categories.codeRule') },
          ]}
        >
          <Input maxLength={6} disabled={!!editing} autoComplete="off" style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('categories.name')}
          rules={[{ required: true, whitespace: true, message: t('categories.nameRequired') }]}
        >
          <Input maxLength={50} showCount />
        </Form.Item>
        <Form.Item name="nameEn" label={t('categories.nameEn')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="parentCode" label={t('categories.parent')}>
          <Select
            allowClear
            options={parentOptions}
            placeholder={t('categories.parentPlaceholder')}
            showSearch={{ optionFilterProp: 'label' }}
          />
        </Form.Item>
        <Form.Item name="industryCode" label={t('categories.industry')}>
          <IndustrySelect divisionsOnly placeholder={t('categories.industryPlaceholder')} />
        </Form.Item>
        <Form.Item name="active" label={t('categories.state')} valuePropName="checked">
          <Switch checkedChildren={t('categories.active')} unCheckedChildren={t('categories.inactive')} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export default function ProductCategoriesPage() {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const names = useRefNames();
  const { can } = useSession();
  const canEdit = can('reference.manage');
  const [target, setTarget] = useState<Target>(null);

  const { data, isPending } = useQuery({
    queryKey: QUERY_KEY,
    queryFn: ({ signal }) =>
      api.get<ListOf<ProductCategory>>('/api/v1/product-categories', undefined, signal),
    select: (d) => d.items,
  });

  const tree = useMemo(() => toTree(data ?? []), [data]);
  const topLevel = useMemo(
    () => (data ?? []).filter((c) => !c.parentCode).sort((a, b) => a.code.localeCompare(b.code)),
    [data],
  );

  const columns: TableColumnsType<Row> = [
    {
      title: t('categories.code'),
      dataIndex: 'code',
      width: 160,
      render: (v: string) => <Typography.Text style={{ fontFamily: 'monospace' }}>{v}</Typography.Text>,
    },
    {
      title: t('categories.name'),
      dataIndex: 'name',
      render: (v: string, c) => (c.parentCode ? v : <Typography.Text strong>{v}</Typography.Text>),
    },
    {
      title: t('categories.nameEn'),
      dataIndex: 'nameEn',
      render: (v: string) => v || <Typography.Text type="secondary">{t('common.notSet')}</Typography.Text>,
    },
    {
      title: t('categories.industry'),
      dataIndex: 'industryCode',
      render: (code: string | null) =>
        code ? (
          <Flex gap={6} align="baseline">
            <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {code}
            </Typography.Text>
            <span>{names.industry(code)}</span>
          </Flex>
        ) : (
          <Typography.Text type="secondary">{t('common.notSet')}</Typography.Text>
        ),
    },
    {
      title: t('categories.state'),
      dataIndex: 'active',
      width: 90,
      render: (a: boolean) =>
        a ? <Tag color="success">{t('categories.active')}</Tag> : <Tag>{t('categories.inactive')}</Tag>,
    },
  ];
  if (canEdit) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      width: en ? 100 : 90,
      render: (_, c) => (
        <Button
          type="link"
          size="small"
          icon={<EditOutlined />}
          onClick={() => {
            const { children: _children, ...category } = c;
            setTarget(category);
          }}
        >
          {t('common.edit')}
        </Button>
      ),
    });
  }

  return (
    <>
      <PageTitle
        title={
          <Flex align="center" gap={8}>
            {t('categories.title')}
            {!canEdit && <Tag>{t('categories.readOnly')}</Tag>}
          </Flex>
        }
        subtitle={t('categories.subtitle')}
        extra={
          canEdit && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setTarget('new')}
              data-testid="category-create"
            >
              {t('categories.create')}
            </Button>
          )
        }
      />
      <Card styles={{ body: { padding: 0 } }}>
        <div data-testid="category-table">
          <Table<Row>
            rowKey="code"
            columns={columns}
            dataSource={tree}
            loading={isPending}
            pagination={{
              pageSize: 50,
              hideOnSinglePage: true,
              showTotal: () => t('common.total', { n: data?.length ?? 0 }),
            }}
          />
        </div>
      </Card>
      {canEdit && <CategoryModal target={target} topLevel={topLevel} onClose={() => setTarget(null)} />}
    </>
  );
}
