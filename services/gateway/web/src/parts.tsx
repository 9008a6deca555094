// Small pieces several pages show.

export function Tags({ values }: { values: string[] }) {
  return (
    <div class="tags">
      {values.map((v) => (
        <span key={v} class="tag">
          {v}
        </span>
      ))}
    </div>
  );
}

export function Head({ columns }: { columns: string[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col">
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}
