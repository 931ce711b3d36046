/**
 * 生产的产品类别: what an enterprise makes, as links to the product-category catalogue (a tree by
 * `parentCode`). The catalogue is read once per session; the enterprise page shows the categories
 * and, for those who may change the enterprise, edits them through the enterprise update API.
 */
import { EditOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Empty, Flex, Space, Tag, TreeSelect, type TreeSelectProps, Typography } from 'antd';
import { type CSSProperties, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, isApiError, showApiError, showSuccess } from '../api/client';
import { useIsEnglish } from '../api/reference';
import type { Enterprise, ListOf, ProductCategory } from '../api/types';

/** At most this many categories per enterprise (the server says the same). */
export const MAX_PRODUCT_CATEGORIES = 20;

/** A category an enterprise makes, as the enterprise API sends it. */
export interface EnterpriseProductCategory {
  code: string;
  name: string;
  nameEn: string;
  active: boolean;
}

/** The enterprise detail with what it makes (servers before the field send none). */
export type EnterpriseWithProducts = Enterprise & { productCategories?: EnterpriseProductCategory[] };

/** The catalogue, shared with the administration page (same query key and shape). */
export function useProductCategoryCatalogue() {
  return useQuery({
    queryKey: ['product-categories'],
    queryFn: ({ signal }) =>
      api.get<ListOf<ProductCategory>>('/api/v1/product-categories', undefined, signal),
    select: (d) => d.items,
    staleTime: 5 * 60_000,
  });
}

type Named = Pick<ProductCategory, 'code' | 'name' | 'nameEn'>;

/** "0101 电线电缆" (or its English name in English when it has one). */
export function categoryLabel(c: Named, en: boolean): string {
  return `${c.code} ${en ? c.nameEn || c.name : c.name}`;
}

type Node = { value: string; title: string; disabled?: boolean; children?: Node[] };

/**
 * The catalogue as tree-select nodes, children under their parents in code order. Retired
 * categories are offered only when `keep` holds them (an enterprise keeps what it made).
 */
export function categoryTree(items: ProductCategory[], en: boolean, keep: readonly string[] = []): Node[] {
  const shown = items
    .filter((c) => c.active || keep.includes(c.code))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const nodes = new Map<string, Node>(
    shown.map((c) => [c.code, { value: c.code, title: categoryLabel(c, en) }]),
  );
  const roots: Node[] = [];
  for (const c of shown) {
    const node = nodes.get(c.code)!;
    // a category whose parent is not shown (unknown or retired) stays on top
    const parent = c.parentCode && c.parentCode !== c.code ? nodes.get(c.parentCode) : undefined;
    if (parent) parent.children = [...(parent.children ?? []), node];
    else roots.push(node);
  }
  return roots;
}

type PickerProps = Omit<TreeSelectProps<string | string[]>, 'treeData'> & {
  /** Retired categories still offered (the enterprise's own). */
  keep?: readonly string[];
  style?: CSSProperties;
};

/** A tree select over the catalogue: one category (a filter) or several (`multiple`). */
export function ProductCategoryTreeSelect({ keep, ...props }: PickerProps) {
  const en = useIsEnglish();
  const { data, isPending } = useProductCategoryCatalogue();
  const treeData = useMemo(() => categoryTree(data ?? [], en, keep), [data, en, keep]);
  return (
    <TreeSelect<string | string[]>
      treeData={treeData}
      loading={isPending}
      showSearch={{ treeNodeFilterProp: 'title' }}
      treeDefaultExpandAll
      popupMatchSelectWidth={false}
      allowClear
      {...props}
    />
  );
}

function CategoryTags({ items }: { items: EnterpriseProductCategory[] }) {
  const { t } = useTranslation();
  const en = useIsEnglish();
  return (
    <Flex wrap gap={6} data-testid="enterprise-products">
      {items.map((c) => (
        <Tag key={c.code} color={c.active ? 'blue' : undefined} variant="filled">
          {categoryLabel(c, en)}
          {!c.active && ` (${t('registry.products.retired')})`}
        </Tag>
      ))}
    </Flex>
  );
}

/**
 * The 生产的产品类别 section of the enterprise page: the categories as tags, and for `editable`
 * users an editor that saves the whole set with the enterprise's version (a stale page is told
 * so and reloaded).
 */
export function ProductCategoriesSection({
  enterprise,
  editable,
}: {
  enterprise: EnterpriseWithProducts;
  editable: boolean;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const items = enterprise.productCategories ?? [];
  const current = useMemo(() => items.map((c) => c.code), [items]);
  const [draft, setDraft] = useState<string[] | null>(null);

  const save = useMutation({
    meta: { silent: true },
    mutationFn: (codes: string[]) =>
      api.patch<EnterpriseWithProducts>(`/api/v1/enterprises/${encodeURIComponent(enterprise.uscc)}`, {
        productCategories: codes,
        version: enterprise.version,
      }),
    onSuccess: (saved) => {
      qc.setQueryData(['enterprise', enterprise.uscc], saved);
      void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc, 'history'] });
      void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc, 'timeline'] });
      void qc.invalidateQueries({ queryKey: ['enterprises', 'list'] });
      showSuccess(t('registry.products.saved'));
      setDraft(null);
    },
    onError: (e) => {
      if (isApiError(e) && e.status === 409) {
        showApiError(new Error(t('enterprisePage.conflict')));
        void qc.invalidateQueries({ queryKey: ['enterprise', enterprise.uscc], exact: true });
        setDraft(null);
        return;
      }
      showApiError(e);
    },
  });

  return (
    <div style={{ marginTop: 24 }} data-testid="enterprise-products-section">
      <Flex justify="space-between" align="center" style={{ marginBottom: 8 }}>
        <Typography.Title level={5} style={{ margin: 0 }}>
          {t('registry.products.title')}
        </Typography.Title>
        {editable && draft === null && (
          <Button
            size="small"
            icon={<EditOutlined />}
            onClick={() => setDraft(current)}
            data-testid="enterprise-products-edit"
          >
            {t('common.edit')}
          </Button>
        )}
      </Flex>
      {draft === null ? (
        items.length ? (
          <CategoryTags items={items} />
        ) : (
          <Empty
            image={Empty.PRESENTED_IMAGE_SIMPLE}
            description={t('registry.products.none')}
            style={{ margin: '8px 0' }}
          />
        )
      ) : (
        <Space direction="vertical" style={{ width: '100%', maxWidth: 720 }}>
          <ProductCategoryTreeSelect
            multiple
            value={draft}
            onChange={(v) => setDraft(Array.isArray(v) ? v : v ? [v] : [])}
            keep={current}
            maxCount={MAX_PRODUCT_CATEGORIES}
            placeholder={t('registry.products.placeholder')}
            style={{ width: '100%' }}
            data-testid="enterprise-products-select"
          />
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('registry.products.hint', { max: MAX_PRODUCT_CATEGORIES })}
          </Typography.Text>
          <Space>
            <Button
              type="primary"
              loading={save.isPending}
              onClick={() => save.mutate(draft)}
              data-testid="enterprise-products-save"
            >
              {t('common.save')}
            </Button>
            <Button onClick={() => setDraft(null)} disabled={save.isPending}>
              {t('common.cancel')}
            </Button>
          </Space>
        </Space>
      )}
    </div>
  );
}

/** A history value of the product categories: each code with its name from the catalogue. */
export function useCategoryText() {
  const en = useIsEnglish();
  const { data } = useProductCategoryCatalogue();
  return useMemo(() => {
    const byCode = new Map((data ?? []).map((c) => [c.code, c]));
    return (codes: unknown): string => {
      if (!Array.isArray(codes) || codes.length === 0) return '—';
      return codes
        .map(String)
        .map((code) => {
          const c = byCode.get(code);
          return c ? categoryLabel(c, en) : code;
        })
        .join('、');
    };
  }, [data, en]);
}
