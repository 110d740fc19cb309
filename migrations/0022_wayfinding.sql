-- Owner: wayfinding module. A location's indoor map as a graph: places (entrances, car parks,
-- lifts, stairs, corridor points, rooms) on floors, in metres east (x) and north (y) of the
-- location's coordinates, and the walkable links between them. A map is replaced as a whole.
CREATE TABLE map_nodes (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL CONSTRAINT map_nodes_location_fk REFERENCES locations (id),
  -- the feature's id in the imported file, kept so an export can be imported again unchanged
  key text NOT NULL CONSTRAINT map_nodes_key_length CHECK (length(key) BETWEEN 1 AND 120),
  kind text NOT NULL CONSTRAINT map_nodes_kind_check
    CHECK (kind IN ('entrance', 'parking', 'lift', 'stairs', 'escalator', 'corridor', 'room', 'amenity')),
  name text CONSTRAINT map_nodes_name_length CHECK (length(name) <= 120),
  floor integer NOT NULL CONSTRAINT map_nodes_floor_range CHECK (floor BETWEEN -20 AND 200),
  x double precision NOT NULL CONSTRAINT map_nodes_x_range CHECK (x BETWEEN -100000 AND 100000),
  y double precision NOT NULL CONSTRAINT map_nodes_y_range CHECK (y BETWEEN -100000 AND 100000),
  room_id uuid,
  CONSTRAINT map_nodes_location_key_key UNIQUE (location_id, key),
  CONSTRAINT map_nodes_id_location_key UNIQUE (id, location_id),
  -- a room node names a room of the same location, and only room nodes name one
  CONSTRAINT map_nodes_room_fk FOREIGN KEY (room_id, location_id) REFERENCES rooms (id, location_id),
  CONSTRAINT map_nodes_room_kind CHECK ((kind = 'room') = (room_id IS NOT NULL))
);
CREATE INDEX map_nodes_room_idx ON map_nodes (room_id) WHERE room_id IS NOT NULL;

CREATE TABLE map_edges (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  location_id uuid NOT NULL CONSTRAINT map_edges_location_fk REFERENCES locations (id),
  from_node_id uuid NOT NULL,
  to_node_id uuid NOT NULL,
  distance_m double precision NOT NULL
    CONSTRAINT map_edges_distance_range CHECK (distance_m > 0 AND distance_m <= 10000),
  step_free boolean NOT NULL DEFAULT true,
  -- one-way links (an exit-only door, a down escalator) are walked from from_node to to_node only
  one_way boolean NOT NULL DEFAULT false,
  -- both ends lie in the edge's own location
  CONSTRAINT map_edges_from_fk FOREIGN KEY (from_node_id, location_id)
    REFERENCES map_nodes (id, location_id) ON DELETE CASCADE,
  CONSTRAINT map_edges_to_fk FOREIGN KEY (to_node_id, location_id)
    REFERENCES map_nodes (id, location_id) ON DELETE CASCADE,
  CONSTRAINT map_edges_distinct_ends CHECK (from_node_id <> to_node_id)
);
CREATE INDEX map_edges_location_idx ON map_edges (location_id);
