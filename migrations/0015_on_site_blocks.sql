-- Owner: physicians module. Travel is reserved between a physician's engagements (appointments
-- and valid holds) at different locations, not cut from the working blocks around them. A block
-- marked on site is a promise to be at its location for the whole block: other locations' slots
-- then leave time to travel to and from it, as every block did before.
ALTER TABLE assignment_templates ADD COLUMN on_site boolean NOT NULL DEFAULT false;
ALTER TABLE assignment_overrides ADD COLUMN on_site boolean NOT NULL DEFAULT false;
