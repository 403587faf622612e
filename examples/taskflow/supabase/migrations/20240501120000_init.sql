-- TaskFlow schema
create table if not exists public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text not null,
  full_name text,
  role text not null default 'member',
  created_at timestamptz not null default now()
);

alter table public.profiles enable row level security;

create policy "Users can view their own profile" on public.profiles
  for select to authenticated using (auth.uid() = id);

create policy "Users can update their own profile" on public.profiles
  for update to authenticated using (auth.uid() = id) with check (auth.uid() = id);

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references auth.users (id),
  name text not null,
  created_at timestamptz not null default now()
);

alter table public.projects enable row level security;

-- TODO: tighten before launch
create policy "Enable all for authenticated users" on public.projects
  for all to authenticated using (true) with check (true);

create table public.tasks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id),
  title text not null,
  description text,
  status text not null default 'todo',
  created_at timestamptz not null default now()
);

create table public.comments (
  id uuid primary key default gen_random_uuid(),
  task_id uuid not null references public.tasks (id) on delete cascade,
  author_id uuid not null references auth.users (id),
  author text not null,
  body text not null,
  created_at timestamptz not null default now()
);

alter table public.comments enable row level security;

create policy "Comment authors manage their comments" on public.comments
  for all to authenticated
  using (auth.uid() = author_id)
  with check (auth.uid() = author_id);
