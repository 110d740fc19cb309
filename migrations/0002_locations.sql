-- Owner: locations module. Facilities, their departments, rooms, equipment and travel times.
CREATE TABLE locations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL CONSTRAINT locations_code_key UNIQUE
    CONSTRAINT locations_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9-]{1,15}$'),
  name text NOT NULL,
  kind text NOT NULL CONSTRAINT locations_kind_check
    CHECK (kind IN ('main_campus', 'satellite', 'outpatient_clinic', 'specialty_center', 'virtual')),
  address_line text,
  city text,
  region text,
  postal_code text,
  country text NOT NULL DEFAULT 'US',
  latitude double precision CONSTRAINT locations_latitude_range CHECK (latitude BETWEEN -90 AND 90),
  longitude double precision CONSTRAINT locations_longitude_range CHECK (longitude BETWEEN -180 AND 180),
  time_zone text NOT NULL,
  phone text,
  -- [{ "weekday": 1..7 (ISO, Monday = 1), "opens": "HH:MM", "closes": "HH:MM" }], local wall-clock time
  opening_hours jsonb NOT NULL DEFAULT '[]',
  parking_spaces integer NOT NULL DEFAULT 0 CHECK (parking_spaces >= 0),
  parking_accessible_spaces integer NOT NULL DEFAULT 0 CHECK (parking_accessible_spaces >= 0),
  parking_cost_cents_per_hour integer NOT NULL DEFAULT 0 CHECK (parking_cost_cents_per_hour >= 0),
  parking_notes text,
  accessibility_features text[] NOT NULL DEFAULT '{}',
  amenities text[] NOT NULL DEFAULT '{}',
  public_transport text,
  services text[] NOT NULL DEFAULT '{}',
  data_residency text NOT NULL DEFAULT 'us',
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- a physical facility must be findable on a map; a virtual one has no address
  CONSTRAINT locations_coordinates_required CHECK (kind = 'virtual' OR (latitude IS NOT NULL AND longitude IS NOT NULL))
);
CREATE INDEX locations_kind_idx ON locations (kind, name);

CREATE TABLE departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL CONSTRAINT departments_location_fk REFERENCES locations (id),
  specialty text NOT NULL CONSTRAINT departments_specialty_fk REFERENCES specialties (code),
  name text NOT NULL,
  phone text,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT departments_location_specialty_key UNIQUE (location_id, specialty),
  CONSTRAINT departments_id_location_key UNIQUE (id, location_id)
);

CREATE TABLE rooms (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL CONSTRAINT rooms_location_fk REFERENCES locations (id),
  department_id uuid,
  code text NOT NULL,
  name text NOT NULL,
  kind text NOT NULL CONSTRAINT rooms_kind_check
    CHECK (kind IN ('exam', 'procedure', 'imaging', 'consult', 'lab', 'telehealth', 'therapy')),
  floor integer NOT NULL DEFAULT 0,
  step_free boolean NOT NULL DEFAULT true,
  capacity integer NOT NULL DEFAULT 1 CHECK (capacity BETWEEN 1 AND 100),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rooms_location_code_key UNIQUE (location_id, code),
  CONSTRAINT rooms_id_location_key UNIQUE (id, location_id),
  -- a room's department must be at the room's own location
  CONSTRAINT rooms_department_fk FOREIGN KEY (department_id, location_id) REFERENCES departments (id, location_id)
);
CREATE INDEX rooms_location_kind_idx ON rooms (location_id, kind);

CREATE TABLE equipment (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL CONSTRAINT equipment_location_fk REFERENCES locations (id),
  room_id uuid,
  kind text NOT NULL CONSTRAINT equipment_kind_format CHECK (kind ~ '^[a-z][a-z0-9_]{1,40}$'),
  name text NOT NULL,
  asset_tag text NOT NULL CONSTRAINT equipment_asset_tag_key UNIQUE,
  mobile boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  -- fixed equipment lives in a room of its own location; mobile equipment may have a home room
  CONSTRAINT equipment_room_fk FOREIGN KEY (room_id, location_id) REFERENCES rooms (id, location_id),
  CONSTRAINT equipment_fixed_needs_room CHECK (mobile OR room_id IS NOT NULL)
);
CREATE INDEX equipment_location_kind_idx ON equipment (location_id, kind);

-- Configured door-to-door minutes from one location to another (directed).
CREATE TABLE travel_times (
  from_location_id uuid NOT NULL CONSTRAINT travel_times_from_fk REFERENCES locations (id),
  to_location_id uuid NOT NULL CONSTRAINT travel_times_to_fk REFERENCES locations (id),
  minutes integer NOT NULL CONSTRAINT travel_times_minutes_range CHECK (minutes BETWEEN 0 AND 1440),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (from_location_id, to_location_id),
  CONSTRAINT travel_times_distinct CHECK (from_location_id <> to_location_id)
);
