-- A booked event is rendered without a transaction (issue 14 part 3): one statement reads it with
-- its appointment, one records its messages, their delivery jobs and its reminders and marks it
-- done, if it is still undone and its appointment unchanged. A sweep claims an overdue event by
-- stamping it, so that instances sweeping at once take different events; a claim left by a
-- sweeper that died is as good as none once it is as old as an overdue event.
ALTER TABLE booking_outbox ADD COLUMN claimed_at timestamptz;
