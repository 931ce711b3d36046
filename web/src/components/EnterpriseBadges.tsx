import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { EnterpriseScale, EnterpriseStatus } from '../api/types';

export const STATUSES: EnterpriseStatus[] = ['operating', 'suspended', 'cancelled', 'revoked'];
export const SCALES: EnterpriseScale[] = ['large', 'medium', 'small', 'micro'];
/** Tag codes the register uses; others are shown as sent. */
export const KNOWN_TAGS = [
  'aboveScale',
  'exporter',
  'highTech',
  'keyEnergyUnit',
  'licensedProducer',
  'famousBrand',
  'standardLeader',
] as const;

export function useTagOptions() {
  const { t } = useTranslation();
  return KNOWN_TAGS.map((tag) => ({ value: tag, label: t(`tag.${tag}`) }));
}

const STATUS_COLORS: Record<EnterpriseStatus, string> = {
  operating: 'success',
  suspended: 'warning',
  cancelled: 'default',
  revoked: 'error',
};

export function StatusTag({ status }: { status: EnterpriseStatus | string }) {
  const { t } = useTranslation();
  const color = STATUS_COLORS[status as EnterpriseStatus] ?? 'default';
  return (
    <Tag color={color} variant="outlined" style={{ marginInlineEnd: 0 }}>
      {t(`status.${status}`, { defaultValue: status })}
    </Tag>
  );
}

export function ScaleText({ scale }: { scale: EnterpriseScale | string | null | undefined }) {
  const { t } = useTranslation();
  if (!scale) return <>—</>;
  return <>{t(`scale.${scale}`, { defaultValue: scale })}</>;
}

export function TagList({ tags }: { tags: string[] | null | undefined }) {
  const { t } = useTranslation();
  if (!tags?.length) return <>—</>;
  return (
    <>
      {tags.map((tag) => (
        <Tag key={tag} color="blue" variant="filled" style={{ marginBlock: 2 }}>
          {t(`tag.${tag}`, { defaultValue: tag })}
        </Tag>
      ))}
    </>
  );
}
