"""The site's HTML pages: the web form and listings (`site`), the pages behind emailed links
(`links`), and the error pages a browser gets instead of JSON (`errors`)."""
