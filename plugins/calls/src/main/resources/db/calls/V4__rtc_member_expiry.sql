-- When a call membership runs out if its device never leaves (MSC4143 `expires`, counted from when it was observed).
ALTER TABLE plugin_calls_rtc_members ADD COLUMN expires_ts BIGINT NULL;
CREATE INDEX plugin_calls_rtc_members_expiry ON plugin_calls_rtc_members (expires_ts);
