-- A campaign can be paused by hand (console "pause"): no wave advances and no waiting charger is
-- sent UpdateFirmware until it is resumed; chargers already underway keep being tracked.
ALTER TABLE firmware_campaigns DROP CONSTRAINT firmware_campaigns_status_check;
ALTER TABLE firmware_campaigns ADD CONSTRAINT firmware_campaigns_status_check CHECK (status IN ('running', 'paused', 'halted', 'completed'));
