-- Indexes for the booking hot path (indexes only: no table or data changes).

-- Fair assignment counts each candidate's active appointments around the slot (serviceSchedule's
-- load): a short index range of live appointments, one staff member at a
-- time, instead of visiting every past and cancelled one in the table.
CREATE INDEX appointments_active_by_staff ON appointments (staff_id, start_at) WHERE state <> 'cancelled';
