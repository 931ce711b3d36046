import dayjs from 'dayjs';

/** ISO timestamp → local `YYYY-MM-DD HH:mm`; '—' when empty. */
export function formatDateTime(v: string | null | undefined): string {
  if (!v) return '—';
  const d = dayjs(v);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : v;
}
