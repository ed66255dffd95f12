"""The product stage: the fold generators run over every month of an experiment, bagged.

`inference` applies the fine-tuned fold generators to the regridded CMIP6 inputs and averages
them ("bagging"), keeping the spread across folds; `quantile_mapping` and `baselines` build the
bias-corrected baseline; `netcdf` streams results, chunk by chunk, into one CF-1.8 file per
experiment (`ProductWriter`; `read_product` opens one again, checked, for users); `run` holds
what the product rules do and `evaluate` what the evaluation rules do.
"""
