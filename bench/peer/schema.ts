// The peer's database: the columns of Deskgraph's tables that the workloads read, in schema `peer`
// (what PostGraphile exposes), and the visibility rule of DESIGN.md as row-level security.

export const database = 'deskgraph_peer';
/** The login role PostGraphile connects as: it owns nothing, so RLS applies to every query. */
export const loginRole = 'deskgraph_postgraphile';

/** Bumped whenever the tables, indexes or policies below change, so a cached cluster is reloaded. */
export const schemaVersion = 5;

/** Loaded straight from SQLite by bench/peer/load.ts: target columns and the SQLite expression of each. */
export interface LoadedTable {
  table: string;
  columns: [name: string, type: string, sqlite: string][];
}

const ms = (column: string): [string, string, string] => [column, 'timestamptz', column];
export const loadedTables: LoadedTable[] = [
  { table: 'peer.accounts', columns: [['id', 'int', 'id'], ['name', 'text not null', 'name'], ['time_zone', 'text not null', 'time_zone'], ms('created_at')] },
  {
    table: 'peer.sectors',
    columns: [['id', 'int', 'id'], ['account_id', 'int not null', 'account_id'], ['name', 'text not null', 'name'], ['color', 'text not null', 'color'], ['routing_mode', 'text not null', 'routing_mode'], ms('created_at')],
  },
  {
    table: 'peer.users',
    // No password hashes: the peer authenticates with JWTs only.
    columns: [['id', 'int', 'id'], ['account_id', 'int not null', 'account_id'], ['name', 'text not null', 'name'], ['email', 'text not null', 'email'], ['role', 'text not null', 'role'], ['active', 'boolean not null', 'active'], ['can_view_all_contacts', 'boolean not null', 'can_view_all_contacts'], ms('created_at')],
  },
  { table: 'peer_private.user_sectors', columns: [['user_id', 'int not null', 'user_id'], ['sector_id', 'int not null', 'sector_id']] },
  {
    table: 'peer.contacts',
    columns: [['id', 'int', 'id'], ['account_id', 'int not null', 'account_id'], ['name', 'text', 'name'], ['phone', 'text', 'phone'], ['email', 'text', 'email'], ['city', 'text', 'city'], ['document', 'text', 'document'], ['external_id', 'text', 'external_id'], ['notes', 'text', 'notes'], ms('last_interaction_at'), ms('created_at'), ms('updated_at')],
  },
  {
    table: 'peer.tickets',
    columns: [
      ['id', 'int', 'id'], ['account_id', 'int not null', 'account_id'], ['protocol', 'int not null', 'protocol'], ['contact_id', 'int not null', 'contact_id'], ['channel_id', 'int not null', 'channel_id'],
      ['sector_id', 'int', 'sector_id'], ['assignee_id', 'int', 'assignee_id'], ['status', 'text not null', 'status'], ['last_message_id', 'int', 'last_message_id'],
      ['out_of_hours', 'boolean not null', 'out_of_hours'], ['callback_requested', 'boolean', 'callback_requested'], ['closed_by', 'text', 'closed_by'], ['closed_by_id', 'int', 'closed_by_id'],
      ms('created_at'), ms('queued_at'), ms('accepted_at'), ms('first_response_at'), ms('closed_at'), ms('last_activity_at'),
    ],
  },
  {
    table: 'peer.messages',
    columns: [['id', 'int', 'id'], ['account_id', 'int not null', 'account_id'], ['ticket_id', 'int not null', 'ticket_id'], ['direction', 'text not null', 'direction'], ['author', 'text not null', 'author'], ['author_user_id', 'int', 'author_user_id'], ['kind', 'text not null', 'kind'], ['body', 'text', 'body'], ['attachments', 'jsonb not null', 'attachments'], ms('created_at')],
  },
];

/** Before loading: bare tables (keys and indexes come after COPY, which is faster than maintaining them). */
export const beforeLoad = `
create schema peer;
create schema peer_private;
${loadedTables.map(({ table, columns }) => `create table ${table} (${columns.map(([name, type]) => `${name} ${type}`).join(', ')});`).join('\n')}
`;

// Claims arrive as settings (PostGraphile: jwt.claims.<name>, role claim -> SET ROLE). The policies
// call the helpers as uncorrelated subqueries, so each runs once per statement (an InitPlan), never
// per row: BENCH-NOTES measured 22 req/s with volatile per-row helpers against ~400 with this form.
// Like Deskgraph, which loads the user on every request, the user's sectors and active flag are
// read from the tables, not trusted from the token. Helpers that read tables are STABLE plpgsql:
// plpgsql plans its statements once per session, where a SQL function that cannot be inlined is
// planned on every call (measured here: ~90 µs against ~13 µs per call, 4 calls per tab page).
const helpers = `
create function peer_private.claim(name text) returns text language sql stable parallel safe
  as $$ select nullif(current_setting('jwt.claims.' || name, true), '') $$;
create function peer_private.current_account_id() returns int language sql stable parallel safe
  as $$ select peer_private.claim('account_id')::int $$;
create function peer_private.current_user_id() returns int language plpgsql stable parallel safe as $$ begin
  return (select u.id from peer.users u where u.id = peer_private.claim('user_id')::int and u.active);
end $$;
create function peer_private.current_user_sector_ids() returns int[] language plpgsql stable parallel safe as $$ begin
  return (select coalesce(array_agg(us.sector_id), '{}') from peer_private.user_sectors us join peer.users u on u.id = us.user_id
    where us.user_id = peer_private.claim('user_id')::int and u.active);
end $$;
create function peer_private.current_user_sees_all_contacts() returns boolean language plpgsql stable parallel safe as $$ begin
  return coalesce((select u.can_view_all_contacts from peer.users u where u.id = peer_private.claim('user_id')::int and u.active), false);
end $$;
`;

// DESIGN.md's rule: ADMIN sees the account; a USER the tickets of their sectors plus those assigned
// to them. Sector and assignee ids belong to one account (as Deskgraph's own branches assume), so the
// USER policy needs no account check. Contacts, messages and sectors follow the tickets they hang from.
const policies = `
alter table peer.tickets enable row level security;
create policy tickets_user on peer.tickets for select to deskgraph_user using (
  sector_id = any (array(select unnest(peer_private.current_user_sector_ids())))
  or assignee_id = (select peer_private.current_user_id()));
create policy tickets_admin on peer.tickets for select to deskgraph_admin using (account_id = (select peer_private.current_account_id()));

alter table peer.messages enable row level security;
create policy messages_visible on peer.messages for select to deskgraph_user, deskgraph_admin using (
  exists (select 1 from peer.tickets t where t.id = messages.ticket_id));

alter table peer.contacts enable row level security;
create policy contacts_user on peer.contacts for select to deskgraph_user using (
  account_id = (select peer_private.current_account_id())
  and ((select peer_private.current_user_sees_all_contacts()) or exists (select 1 from peer.tickets t where t.contact_id = contacts.id)));
create policy contacts_admin on peer.contacts for select to deskgraph_admin using (account_id = (select peer_private.current_account_id()));

alter table peer.sectors enable row level security;
create policy sectors_account on peer.sectors for select to deskgraph_user, deskgraph_admin using (account_id = (select peer_private.current_account_id()));
alter table peer.users enable row level security;
create policy users_account on peer.users for select to deskgraph_user, deskgraph_admin using (account_id = (select peer_private.current_account_id()));
alter table peer.accounts enable row level security;
create policy accounts_own on peer.accounts for select to deskgraph_user, deskgraph_admin using (id = (select peer_private.current_account_id()));
`;

/** After loading: keys, the indexes the policies and pages need, relations, roles, grants, statistics. */
export const afterLoad = [
  `
alter table peer.accounts add primary key (id);
alter table peer.sectors add primary key (id);
alter table peer.users add primary key (id);
alter table peer_private.user_sectors add primary key (user_id, sector_id);
alter table peer.contacts add primary key (id);
alter table peer.tickets add primary key (id);
alter table peer.messages add primary key (id);
-- Status is text with a check, not an enum: enum equality is not LEAKPROOF, so under RLS
-- PostgreSQL may not use \`status = 'OPEN'\` as an index condition and every tab became a seq scan.
alter table peer.tickets add constraint tickets_status check (status in ('WAITING', 'OPEN', 'CLOSED'));
create unique index contacts_account_phone on peer.contacts (account_id, phone);
-- Page order within a tab (BENCH-NOTES: the one that made pages cheap), then one index per policy
-- branch, so counts are a BitmapOr of two index ranges.
create index tickets_tab on peer.tickets (status, last_activity_at desc, id desc);
create index tickets_tab_sector on peer.tickets (status, sector_id, last_activity_at desc, id desc);
create index tickets_tab_assignee on peer.tickets (status, assignee_id, last_activity_at desc, id desc);
create index tickets_contact on peer.tickets (contact_id);
create index messages_ticket on peer.messages (ticket_id, id);
create index sectors_account on peer.sectors (account_id);
create index users_account on peer.users (account_id);
-- Relations for PostGraphile. The rows come from SQLite with its foreign keys enforced, so they are
-- declared NOT VALID rather than re-checked over 6M rows.
alter table peer.sectors add foreign key (account_id) references peer.accounts not valid;
alter table peer.users add foreign key (account_id) references peer.accounts not valid;
alter table peer.contacts add foreign key (account_id) references peer.accounts not valid;
alter table peer.tickets add foreign key (contact_id) references peer.contacts not valid;
alter table peer.tickets add foreign key (sector_id) references peer.sectors not valid;
alter table peer.tickets add foreign key (assignee_id) references peer.users not valid;
alter table peer.tickets add foreign key (last_message_id) references peer.messages not valid;
alter table peer.messages add foreign key (ticket_id) references peer.tickets not valid;
`,
  helpers,
  `
create role ${loginRole} login noinherit;
create role deskgraph_anonymous nologin;
create role deskgraph_user nologin;
create role deskgraph_admin nologin;
grant deskgraph_anonymous, deskgraph_user, deskgraph_admin to ${loginRole};
grant usage on schema peer, peer_private to deskgraph_user, deskgraph_admin;
grant select on all tables in schema peer to deskgraph_user, deskgraph_admin;
grant select on peer_private.user_sectors to deskgraph_user, deskgraph_admin;
grant execute on all functions in schema peer_private to deskgraph_user, deskgraph_admin;
`,
  policies,
];
