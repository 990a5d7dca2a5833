//! The `<coc-execution>` custom element (issue 5): the ticket view for
//! portals, in a shadow root. Not built yet.
