"""The batch runner: a whole dataset in the Princeton-Leuven layout, one Dask task per site,
resumable, into archives and a research export (`policy-diff batch`)."""
