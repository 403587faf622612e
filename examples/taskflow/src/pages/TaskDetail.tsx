import { useEffect, useState } from "react";
import { useParams } from "react-router-dom";
import DOMPurify from "dompurify";
import { supabase } from "@/integrations/supabase/client";

type Comment = { id: string; body: string; author: string };

export default function TaskDetail() {
  const { id } = useParams();
  const [description, setDescription] = useState("");
  const [comments, setComments] = useState<Comment[]>([]);

  useEffect(() => {
    supabase
      .from("tasks")
      .select("description")
      .eq("id", id)
      .single()
      .then(({ data }) => setDescription(data?.description ?? ""));
    supabase
      .from("comments")
      .select("id, body, author")
      .eq("task_id", id)
      .then(({ data }) => setComments(data ?? []));
  }, [id]);

  return (
    <article>
      <div dangerouslySetInnerHTML={{ __html: DOMPurify.sanitize(description) }} />
      {comments.map((c) => (
        <div key={c.id} className="comment">
          <strong>{c.author}</strong>
          <div dangerouslySetInnerHTML={{ __html: c.body }} />
        </div>
      ))}
    </article>
  );
}
