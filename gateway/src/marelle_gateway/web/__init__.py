"""What the portal and the back office share: the session and the signed-in person, the
dependencies pages declare, CSRF, page errors, form models and field descriptions, the French
catalogue, formatting and rendering. Neither audience imports the other; both import this."""
