// Runs the outbox dispatcher in the server process: every few seconds, deliver what is pending.
import type { AppContext } from '../context.js';
import { dispatchPending, type EventHandler } from './outbox.js';

export function startDispatcher(ctx: AppContext, handlers: EventHandler[], intervalMs = 2000) {
  if (handlers.length === 0) return () => {};
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      await dispatchPending(ctx, handlers);
    } catch (err) {
      ctx.log.error({ err }, 'event dispatch failed');
    } finally {
      busy = false;
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
