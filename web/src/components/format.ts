import dayjs from 'dayjs';

/** ISO timestamp → local `YYYY-MM-DD HH:mm`; '—' when empty. */
export function formatDateTime(v: string | null | undefined): string {
  if (!v) return '—';
  const d = dayjs(v);
  return d.isValid() ? d.format('YYYY-MM-DD HH:mm') : v;
}

/** Today in Dongguan (Asia/Shanghai, UTC+8 all year), whatever the browser's time zone: business
 *  dates — a record's date, a deadline — are reckoned there, as on the server. */
export function businessToday(): dayjs.Dayjs {
  return dayjs(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10));
}
