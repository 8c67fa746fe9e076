"""The Health Care Social Media List: a moderated public directory of healthcare organizations' accounts."""
