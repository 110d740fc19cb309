-- Owner: integrations/fhir (system clients). A network-wide system client is bound to no location:
-- it acts with staff rights at every location of the network (the ones there are when it calls),
-- still narrowed to what its token's scopes grant. Registering one is an administrator's act, audited
-- as any registration. A client bound to locations keeps its rows in fhir_client_locations.
ALTER TABLE fhir_clients ADD COLUMN network_wide boolean NOT NULL DEFAULT false;
