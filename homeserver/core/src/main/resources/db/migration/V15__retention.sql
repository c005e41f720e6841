-- Message retention (MSC1763, Synapse's "message retention policies"): expired events are pruned like a redaction
-- and flagged purged rather than deleted, so event_edges, forward_extremities and the prev_events of later events
-- keep pointing at rows that exist (the DAG stays valid for auth and federation); reads skip purged rows.
ALTER TABLE events ADD COLUMN purged BOOLEAN NOT NULL DEFAULT FALSE;
-- The purge job scans a room's events by origin_server_ts through events_room_ts (V5).
