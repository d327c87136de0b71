"""Plain text: normalisation for matching, sentences, the article's structure, content terms."""
