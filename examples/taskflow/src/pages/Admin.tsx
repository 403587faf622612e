import { useEffect, useState } from "react";
import { supabaseAdmin, deleteUser } from "@/lib/admin";

type Profile = { id: string; email: string };

export default function Admin() {
  const [users, setUsers] = useState<Profile[]>([]);

  useEffect(() => {
    supabaseAdmin
      .from("profiles")
      .select("id, email")
      .then(({ data }) => setUsers(data ?? []));
  }, []);

  return (
    <ul>
      {users.map((u) => (
        <li key={u.id}>
          {u.email} <button onClick={() => deleteUser(u.id)}>Remove</button>
        </li>
      ))}
    </ul>
  );
}
