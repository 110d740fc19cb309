/** Pages anyone holding their link may open, signed in or not: a video visit's page. */
import { Container } from "@mantine/core";
import { Routes } from "../shared/router.js";
import { NotFound } from "../shared/ui.js";
import { VisitPage } from "./VisitPage.js";

export default function PublicArea() {
  return (
    <Routes
      fallback={
        <Container size={620} py="xl" component="main" id="main">
          <NotFound />
        </Container>
      }
      routes={[{ path: "/visit/:token", render: ({ token }) => <VisitPage key={token} token={token!} /> }]}
    />
  );
}
