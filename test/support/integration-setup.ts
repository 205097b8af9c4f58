// Integration tests wait on real services; a minute bounds each one.
jest.setTimeout(60_000);
