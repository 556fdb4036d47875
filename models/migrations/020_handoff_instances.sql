-- Hand-off across instances: what one process used to keep in memory, where every instance reads it.

ALTER TABLE conversations
  -- The assigned advisor's grace: until then nobody else is offered the customer; its end is a pg-boss job
  -- (bot/handoff/grace-timers.ts), run by whichever instance is alive.
  ADD COLUMN handoff_grace_until     timestamptz,
  -- The last place in line the queued customer was told: an instance tells a new place only once.
  ADD COLUMN handoff_told_position   integer;
