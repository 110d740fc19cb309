export const analytics = { name: "analytics" };
