-- What makes a domain resolve (issue 14): the name servers and DS records
-- the registry holds for a registration, as the update workflow that set
-- them (or the registration that sent them) last saw them. nameservers is
-- a JSON array of host names, dnssec registrar.DNSSEC as JSON; NULL until
-- set through the API.
ALTER TABLE registrations ADD COLUMN nameservers TEXT;
ALTER TABLE registrations ADD COLUMN dnssec TEXT;
