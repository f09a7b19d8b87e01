"""Browser tests of the HTML view (marker ``browser``)."""
