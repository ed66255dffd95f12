"""The product stage: the 5-fold generators run over every month of an experiment, bagged.

`inference` (a sibling module) applies the fine-tuned fold generators to the regridded CMIP6 inputs
and averages them ("bagging"), keeping the spread across folds; `netcdf` streams that result, time
chunk by time chunk, into one CF-1.8 NetCDF file per experiment (`ProductWriter`) and opens such a
file again lazily (`read_product`) for the statistics and figures downstream.
"""
