-- Plans are a public price list; subscriptions are private.
create table public.plans (
  id text primary key,
  name text not null,
  price_cents integer not null
);

alter table public.plans enable row level security;

create policy "Plans are viewable by everyone" on public.plans
  for select using (true);

create table public.subscriptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id),
  stripe_customer_id text,
  stripe_subscription_id text unique,
  status text not null,
  updated_at timestamptz not null default now()
);

alter table public.subscriptions enable row level security;

create policy "Users read their subscription" on public.subscriptions
  for select to authenticated using (auth.uid() = user_id);

create or replace function public.is_admin()
returns boolean
language sql
security definer
set search_path = public
as $$
  select exists (
    select 1 from public.profiles where id = auth.uid() and role = 'admin'
  );
$$;
