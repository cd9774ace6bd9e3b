import { afterAll } from 'vitest';
import { dropCreatedDatabases } from './database.js';

// A setup file (vitest.config.ts): after each test file, the PostgreSQL databases it created go.
afterAll(dropCreatedDatabases);
