import { TroupeDemo } from "./troupe-demo";

/** `/?key=K` picks the actors' key (default "demo"). */
export default async function Page({ searchParams }: PageProps<"/">) {
  const { key } = await searchParams;
  return <TroupeDemo actorKey={typeof key === "string" && key !== "" ? key : "demo"} />;
}
