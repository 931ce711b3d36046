/** Selects for reference data: towns grouped by kind, industries as section → division tree. */
import { Select, TreeSelect } from 'antd';
import type { CSSProperties } from 'react';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useIndustries, useIsEnglish, useTowns } from '../api/reference';
import type { TownKind } from '../api/types';

interface RefSelectProps {
  value?: string | null;
  onChange?: (value: string | undefined) => void;
  placeholder?: string;
  allowClear?: boolean;
  style?: CSSProperties;
  disabled?: boolean;
  id?: string;
}

interface TownSelectProps extends RefSelectProps {
  /** Offer this town only (a town officer's own town); all towns when absent. */
  only?: string;
}

const KIND_ORDER: TownKind[] = ['subdistrict', 'town', 'area'];

export function TownSelect({
  value,
  onChange,
  placeholder,
  allowClear = true,
  style,
  disabled,
  id,
  only,
}: TownSelectProps) {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const { data, isLoading } = useTowns();
  const options = useMemo(
    () =>
      KIND_ORDER.map((kind) => ({
        label: t(`townKind.${kind}`),
        title: t(`townKind.${kind}`),
        options: (data ?? [])
          .filter((town) => town.kind === kind && (!only || town.code === only))
          .map((town) => ({
            value: town.code,
            label: en ? town.nameEn || town.name : town.name,
            search: `${town.name} ${town.nameEn} ${town.code}`.toLowerCase(),
          })),
      })).filter((g) => g.options.length > 0),
    [data, en, t, only],
  );
  return (
    <Select
      id={id}
      data-testid="town-select"
      value={value ?? undefined}
      onChange={(v) => onChange?.(v ?? undefined)}
      options={options}
      loading={isLoading}
      placeholder={placeholder ?? t('registry.townPlaceholder')}
      allowClear={allowClear}
      disabled={disabled}
      showSearch={{
        filterOption: (input, option) =>
          String((option as { search?: string } | undefined)?.search ?? '').includes(input.toLowerCase()),
      }}
      style={style}
      popupMatchSelectWidth={false}
    />
  );
}

interface IndustrySelectProps extends RefSelectProps {
  /** Only divisions may be chosen (forms); sections are selectable too for filtering. */
  divisionsOnly?: boolean;
}

export function IndustrySelect({
  value,
  onChange,
  placeholder,
  allowClear = true,
  style,
  disabled,
  divisionsOnly,
  id,
}: IndustrySelectProps) {
  const { t } = useTranslation();
  const en = useIsEnglish();
  const { data, isLoading } = useIndustries();
  const treeData = useMemo(() => {
    const items = data ?? [];
    const name = (i: { name: string; nameEn: string }) => (en ? i.nameEn || i.name : i.name);
    return items
      .filter((i) => i.level === 'section')
      .map((s) => ({
        value: s.code,
        title: `${s.code} ${name(s)}`,
        selectable: !divisionsOnly,
        children: items
          .filter((d) => d.level === 'division' && d.section === s.code)
          .map((d) => ({ value: d.code, title: `${d.code} ${name(d)}`, isLeaf: true })),
      }));
  }, [data, en, divisionsOnly]);
  return (
    <TreeSelect
      id={id}
      value={value ?? undefined}
      onChange={(v) => onChange?.((v as string | undefined) ?? undefined)}
      treeData={treeData}
      loading={isLoading}
      placeholder={placeholder ?? t('registry.industryPlaceholder')}
      allowClear={allowClear}
      disabled={disabled}
      showSearch={{ treeNodeFilterProp: 'title' }}
      style={style}
      popupMatchSelectWidth={false}
      styles={{ popup: { root: { maxHeight: 420, overflow: 'auto', minWidth: 320 } } }}
    />
  );
}
