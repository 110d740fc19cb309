/** Screens anyone may open without signing in: the page a waitlist offer's message links to. */
import { Routes } from "../shared/router.js";
import { NotFound } from "../shared/ui.js";
import { OfferLinkPage } from "./OfferLinkPage.js";

export default function PublicArea() {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        {
          path: "/waitlist/offer/:token",
          render: ({ token }) => <OfferLinkPage key={token} token={token!} />,
        },
      ]}
    />
  );
}
