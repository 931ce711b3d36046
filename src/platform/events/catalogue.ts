// The catalogue of every event type in Zhihui: name, producer, meaning, payload schema.
// An event not listed here cannot be emitted. Later modules add their rows here, so this file
// is the one place to read what the platform knows happens.
import { type Static, type TSchema, Type } from 'typebox';

export type EventSpec<S extends TSchema = TSchema> = {
  type: string;
  producer: string;
  description: { zh: string; en: string };
  payload: S;
};

const spec = <S extends TSchema>(s: EventSpec<S>) => s;

const EnterpriseRef = { enterpriseId: Type.String(), uscc: Type.String() };

export const EVENT_CATALOGUE = {
  'registry.enterprise.created': spec({
    type: 'registry.enterprise.created',
    producer: 'registry',
    description: { zh: '企业登记入库', en: 'An enterprise entered the register' },
    payload: Type.Object({ ...EnterpriseRef, name: Type.String(), source: Type.String() }),
  }),
  'registry.enterprise.updated': spec({
    type: 'registry.enterprise.updated',
    producer: 'registry',
    description: { zh: '企业登记信息变更', en: 'Registered details of an enterprise changed' },
    payload: Type.Object({ ...EnterpriseRef, fields: Type.Array(Type.String()), source: Type.String() }),
  }),
  'registry.enterprise.statusChanged': spec({
    type: 'registry.enterprise.statusChanged',
    producer: 'registry',
    description: { zh: '企业经营状态变更', en: 'The operating status of an enterprise changed' },
    payload: Type.Object({ ...EnterpriseRef, from: Type.String(), to: Type.String() }),
  }),
} as const;

export type EventType = keyof typeof EVENT_CATALOGUE;
export type EventPayload<T extends EventType> = Static<(typeof EVENT_CATALOGUE)[T]['payload']>;
