/** Screens anyone may open without signing in: the pages a waitlist offer's and a survey's messages link to. */
import { Routes } from "../shared/router.js";
import { NotFound } from "../shared/ui.js";
import { OfferLinkPage } from "./OfferLinkPage.js";
import { SurveyPage } from "./SurveyPage.js";

export default function PublicArea() {
  return (
    <Routes
      fallback={<NotFound />}
      routes={[
        {
          path: "/waitlist/offer/:token",
          render: ({ token }) => <OfferLinkPage key={token} token={token!} />,
        },
        {
          path: "/survey/:token",
          render: ({ token }) => <SurveyPage key={token} token={token!} />,
        },
      ]}
    />
  );
}
