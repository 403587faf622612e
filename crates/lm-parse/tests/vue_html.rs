//! Vue and Svelte components: raw HTML bindings (`v-html`, `:innerHTML`, `{@html}`) are
//! HTML sinks located at the binding, fed by the component's script.

use lm_core::fact::{FactData, Provenance, Sink};
use lm_core::{Fact, FileRecord, Role};

fn facts(path: &str, language: &str, src: &str) -> Vec<Fact> {
    let file = FileRecord {
        path: path.into(),
        path_bytes: None,
        root: ".".into(),
        language: Some(language.into()),
        size: src.len() as u64,
        binary: false,
        role: Role::Client,
        role_reason: String::new(),
    };
    let mut out = lm_parse::Extraction::default();
    lm_parse::extract_source(&file, src, &mut out);
    out.facts
}

/// HTML sinks: (line, column, sink).
fn html_sinks(path: &str, language: &str, src: &str) -> Vec<(u64, u64, Sink)> {
    facts(path, language, src)
        .into_iter()
        .filter_map(|f| match f.data {
            FactData::Sink(s) if s.sink == "html" => Some((f.line, f.column.unwrap_or(0), s)),
            _ => None,
        })
        .collect()
}

fn dangerous(v: &[(u64, u64, Sink)]) -> Vec<(u64, u64, Sink)> {
    v.iter()
        .filter(|(_, _, s)| matches!(s.source, Some(Provenance::Request | Provenance::Database)))
        .cloned()
        .collect()
}

const STORED: &str = r#"<template>
  <section class="comments">
    <article v-for="comment in comments" :key="comment.id" class="comment">
      <header>{{ comment.author_name }}</header>
      <div class="body" v-html="comment.body_html"></div>
      <footer v-html="DOMPurify.sanitize(comment.signature)"></footer>
    </article>
    <p v-html="emptyText"></p>
  </section>
</template>

<script setup lang="ts">
import { onMounted, ref } from 'vue'
import DOMPurify from 'dompurify'
import { supabase } from '@/lib/supabase'

const props = defineProps<{ postId: string }>()
const comments = ref<Comment[]>([])
const emptyText = '<em>No comments yet</em>'

onMounted(async () => {
  const { data, error } = await supabase
    .from('comments')
    .select('id, author_name, body_html, signature')
    .eq('post_id', props.postId)
  if (!error) comments.value = data ?? []
})
</script>
"#;

#[test]
fn v_html_of_database_rows_is_stored_html_at_the_attribute() {
    let all = html_sinks("src/components/CommentList.vue", "vue", STORED);
    let d = dangerous(&all);
    assert_eq!(d.len(), 1, "{all:#?}");
    let (line, col, s) = &d[0];
    assert_eq!((*line, *col), (5, 25));
    assert_eq!(s.api, "v-html");
    assert_eq!(s.expr, "comment.body_html");
    assert_eq!(s.source, Some(Provenance::Database));
    // The sanitised signature and the constant are sinks too, but safe ones.
    let footer = all.iter().find(|(l, _, _)| *l == 6).expect("footer sink");
    assert_eq!(footer.2.source, Some(Provenance::Sanitized));
    // A constant string is not even a sink.
    assert!(all.iter().all(|(l, _, _)| *l != 8), "{all:#?}");
}

#[test]
fn script_facts_keep_their_lines() {
    let f = facts("src/components/CommentList.vue", "vue", STORED);
    let db = f
        .iter()
        .find(|f| matches!(&f.data, FactData::DbAccess(_)))
        .expect("db access");
    assert_eq!((db.line, db.column), (22, Some(33)), "{db:#?}");
}

const REFLECTED: &str = r#"<script setup lang="ts">
import { computed } from 'vue'
import { useRoute } from 'vue-router'
import DOMPurify from 'dompurify'

const route = useRoute()
const banner = computed(() => route.query.msg as string)
const safeBanner = computed(() => DOMPurify.sanitize(String(route.query.msg ?? '')))
const title = computed(() => route.meta.title as string)
</script>

<template>
  <div class="alert" v-html="banner" />
  <div class="alert" v-html="safeBanner" />
  <h1 v-html="title"></h1>
  <p>{{ route.query.msg }}</p>
  <span :innerHTML="$route.params.slug"></span>
</template>
"#;

#[test]
fn route_query_in_v_html_is_reflected_html() {
    let all = html_sinks("src/views/Search.vue", "vue", REFLECTED);
    let d = dangerous(&all);
    let lines: Vec<(u64, u64, &str)> = d.iter().map(|(l, c, s)| (*l, *c, s.api.as_str())).collect();
    assert_eq!(
        lines,
        vec![(13, 22, "v-html"), (17, 9, ":innerHTML")],
        "{all:#?}"
    );
    assert!(d
        .iter()
        .all(|(_, _, s)| s.source == Some(Provenance::Request)));
    assert_eq!(d[0].2.source_expr.as_deref(), Some("route.query.msg"));
    // The sanitised computed value is a sink, but a safe one.
    let safe = all
        .iter()
        .find(|(l, _, _)| *l == 14)
        .expect("sanitised sink");
    assert_eq!(safe.2.source, Some(Provenance::Sanitized));
}

#[test]
fn props_and_interpolation_are_not_dangerous() {
    let src = r#"<template>
  <article>
    <h2>{{ post.title }}</h2>
    <div v-html="post.html"></div>
    <div v-html="renderMarkdown(body)"></div>
  </article>
</template>

<script setup>
const props = defineProps({ post: Object, body: String })
</script>
"#;
    let all = html_sinks("src/components/Post.vue", "vue", src);
    assert!(dangerous(&all).is_empty(), "{all:#?}");
}

#[test]
fn options_api_route_in_template_is_reflected() {
    let src = r#"<template>
  <div v-html="$route.hash.slice(1)"></div>
  <div v-html="$route.name"></div>
</template>
<script>
export default { name: 'Anchor' }
</script>
"#;
    let all = html_sinks("src/views/Anchor.vue", "vue", src);
    let d = dangerous(&all);
    assert_eq!(d.len(), 1, "{all:#?}");
    assert_eq!(d[0].0, 2);
}

#[test]
fn svelte_html_of_fetched_rows() {
    let src = r#"<script lang="ts">
  import { onMount } from 'svelte';
  import { supabase } from '$lib/supabase';
  let posts = [];
  const intro = '<p>Welcome</p>';
  onMount(async () => {
    const { data } = await supabase.from('posts').select('*');
    posts = data ?? [];
  });
</script>

{@html intro}
{#each posts as post (post.id)}
  <article>{@html post.content}</article>
{/each}
"#;
    let all = html_sinks("src/routes/+page.svelte", "svelte", src);
    let d = dangerous(&all);
    assert_eq!(d.len(), 1, "{all:#?}");
    assert_eq!((d[0].0, d[0].2.api.as_str()), (14, "{@html}"));
    assert_eq!(d[0].2.source, Some(Provenance::Database));
}

#[test]
fn svelte_page_url_in_html_is_reflected() {
    let src = r#"<script>
  import { page } from '$app/stores';
  import DOMPurify from 'isomorphic-dompurify';
  $: notice = $page.url.searchParams.get('notice');
  $: clean = DOMPurify.sanitize($page.url.searchParams.get('notice') ?? '');
</script>

<div class="notice">{@html notice}</div>
<div class="notice">{@html clean}</div>
<p>{notice}</p>
"#;
    let all = html_sinks("src/routes/+page.svelte", "svelte", src);
    let d = dangerous(&all);
    assert_eq!(d.len(), 1, "{all:#?}");
    assert_eq!((d[0].0, d[0].1), (8, 21));
    assert_eq!(d[0].2.source, Some(Provenance::Request));
}

#[test]
fn unrelated_ref_calls_are_not_vue_refs() {
    // Firebase's `ref(db, path)`: its `.value` is not the path.
    let src = r#"<script setup>
import { ref as dbRef, getDatabase } from 'firebase/database'
import { ref } from 'vue'
import { useRoute } from 'vue-router'
const route = useRoute()
const node = ref(getDatabase(), `pages/${route.params.id}`)
const html = ref('')
</script>
<template>
  <div v-html="node.value"></div>
  <div v-html="html"></div>
</template>
"#;
    let all = html_sinks("src/views/Page.vue", "vue", src);
    assert!(dangerous(&all).is_empty(), "{all:#?}");
}
