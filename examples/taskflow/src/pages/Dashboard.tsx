import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { supabase } from "@/integrations/supabase/client";

type Task = { id: string; title: string; status: string };

export default function Dashboard() {
  const [tasks, setTasks] = useState<Task[]>([]);
  const [params] = useSearchParams();
  const filter = params.get("q") ?? "";

  useEffect(() => {
    supabase
      .from("tasks")
      .select("id, title, status")
      .ilike("title", `%${filter}%`)
      .then(({ data }) => setTasks(data ?? []));
  }, [filter]);

  return (
    <main>
      <h1>Your tasks</h1>
      <p>
        Showing results for <span>{filter}</span>
      </p>
      <ul>
        {tasks.map((t) => (
          <li key={t.id}>
            <Link to={`/tasks/${t.id}`}>{t.title}</Link> — {t.status}
          </li>
        ))}
      </ul>
    </main>
  );
}
